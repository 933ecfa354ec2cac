using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmRouting.IntegrationTests;

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 (Kestrel, random port) that serves several fake
/// "models" deterministically, non-streaming and streaming (SSE), with token usage, and records every request.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeOpenAIServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Gets the base address, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets every request received, in arrival order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Gets or sets a hook run before the normal answer; return <see langword="true"/> when it wrote the response itself (fault injection).</summary>
    public Func<HttpContext, RecordedRequest, Task<bool>>? Intercept { get; set; }

    /// <summary>Gets or sets the number of content chunks a streamed answer is split into.</summary>
    public int StreamChunks { get; set; } = 4;

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <returns>The running server.</returns>
    public static async Task<FakeOpenAIServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new FakeOpenAIServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>The deterministic answer a model gives.</summary>
    /// <param name="model">The model id.</param>
    /// <returns>The answer text.</returns>
    public static string AnswerOf(string model) => $"This is {model} answering your question in a few words.";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        JsonNode body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var request = new RecordedRequest(
            Model: body["model"]?.GetValue<string>() ?? string.Empty,
            Stream: body["stream"]?.GetValue<bool>() ?? false,
            MessageCount: body["messages"]?.AsArray().Count ?? 0,
            LastUserText: LastUserText(body),
            Body: body.ToJsonString(),
            ReceivedAt: DateTimeOffset.UtcNow);
        _requests.Enqueue(request);

        if (Intercept is { } intercept && await intercept(context, request))
        {
            return;
        }

        int promptTokens = Math.Max(1, request.Body.Length / 4);
        string answer = AnswerOf(request.Model);
        int completionTokens = answer.Split(' ').Length;
        if (request.Stream)
        {
            await WriteStreamAsync(context, request.Model, answer, promptTokens, completionTokens, body["stream_options"]?["include_usage"]?.GetValue<bool>() ?? false);
        }
        else
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Completion(request.Model, answer, promptTokens, completionTokens), context.RequestAborted);
        }
    }

    private async Task WriteStreamAsync(HttpContext context, string model, string answer, int promptTokens, int completionTokens, bool includeUsage)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
        }

        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await WriteEventAsync(context, Chunk(id, created, model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, finishReason: null));
        foreach (string piece in Split(answer, StreamChunks))
        {
            await WriteEventAsync(context, Chunk(id, created, model, new JsonObject { ["content"] = piece }, finishReason: null));
        }

        await WriteEventAsync(context, Chunk(id, created, model, new JsonObject(), finishReason: "stop"));
        if (includeUsage)
        {
            await WriteEventAsync(context, UsageChunk(id, created, model, promptTokens, completionTokens));
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes one SSE event and flushes it, so the client sees it immediately.</summary>
    /// <param name="context">The HTTP context.</param>
    /// <param name="json">The event payload.</param>
    /// <returns>A task that completes when the event is flushed.</returns>
    public static async Task WriteEventAsync(HttpContext context, string json)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Response.WriteAsync("data: " + json + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Builds a streaming chunk.</summary>
    /// <param name="id">The completion id.</param>
    /// <param name="created">The creation time (Unix seconds).</param>
    /// <param name="model">The model.</param>
    /// <param name="delta">The delta object.</param>
    /// <param name="finishReason">The finish reason, if any.</param>
    /// <returns>The chunk JSON.</returns>
    public static string Chunk(string id, long created, string model, JsonObject delta, string? finishReason) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["finish_reason"] = finishReason,
        }),
    }.ToJsonString();

    /// <summary>Builds the final streaming chunk that carries the usage (<c>stream_options.include_usage</c>).</summary>
    /// <param name="id">The completion id.</param>
    /// <param name="created">The creation time (Unix seconds).</param>
    /// <param name="model">The model.</param>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="completionTokens">Completion tokens.</param>
    /// <returns>The chunk JSON.</returns>
    public static string UsageChunk(string id, long created, string model, int promptTokens, int completionTokens) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(),
        ["usage"] = Usage(promptTokens, completionTokens),
    }.ToJsonString();

    /// <summary>Builds a non-streaming completion.</summary>
    /// <param name="model">The model.</param>
    /// <param name="answer">The answer text.</param>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="completionTokens">Completion tokens.</param>
    /// <param name="finishReason">The finish reason.</param>
    /// <returns>The completion JSON.</returns>
    public static string Completion(string model, string answer, int promptTokens, int completionTokens, string finishReason = "stop") => new JsonObject
    {
        ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
        ["object"] = "chat.completion",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer },
            ["finish_reason"] = finishReason,
        }),
        ["usage"] = Usage(promptTokens, completionTokens),
    }.ToJsonString();

    private static JsonObject Usage(int promptTokens, int completionTokens) => new()
    {
        ["prompt_tokens"] = promptTokens,
        ["completion_tokens"] = completionTokens,
        ["total_tokens"] = promptTokens + completionTokens,
    };

    private static IEnumerable<string> Split(string text, int parts)
    {
        int size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)Math.Max(1, parts)));
        for (int i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }

    private static string LastUserText(JsonNode body)
    {
        string last = string.Empty;
        foreach (JsonNode? message in body["messages"]?.AsArray() ?? [])
        {
            if (message?["role"]?.GetValue<string>() != "user")
            {
                continue;
            }

            JsonNode? content = message["content"];
            last = content switch
            {
                JsonValue v => v.GetValue<string>(),
                JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? string.Empty)),
                _ => string.Empty,
            };
        }

        return last;
    }
}
