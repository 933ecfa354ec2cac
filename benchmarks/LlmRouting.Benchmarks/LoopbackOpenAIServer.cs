using System.ClientModel;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace LlmRouting.Benchmarks;

/// <summary>
/// A minimal OpenAI-compatible chat-completions server on 127.0.0.1 (Kestrel, random port) for throughput benchmarks:
/// answers every non-streaming request with a fixed completion for the requested model, with token usage, at once or
/// after a fixed model latency.
/// (The integration tests' <c>FakeOpenAIServer</c> also records requests and injects faults; none of that is wanted here.)
/// </summary>
internal sealed class LoopbackOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeSpan _latency;

    private LoopbackOpenAIServer(WebApplication app, TimeSpan latency)
    {
        _app = app;
        _latency = latency;
    }

    /// <summary>Gets the base address, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <param name="latency">How long the "model" takes before it answers; <see cref="TimeSpan.Zero"/> answers at once.</param>
    /// <returns>The running server.</returns>
    public static async Task<LoopbackOpenAIServer> StartAsync(TimeSpan latency = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new LoopbackOpenAIServer(app, latency);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>The official OpenAI client for <paramref name="model"/> on this server, as an <see cref="IChatClient"/>.</summary>
    /// <param name="model">The model id to send.</param>
    /// <returns>The client.</returns>
    public IChatClient ChatClient(string model) =>
        new OpenAIClient(new ApiKeyCredential("loopback"), new OpenAIClientOptions { Endpoint = Endpoint }).GetChatClient(model).AsIChatClient();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (_latency > TimeSpan.Zero)
        {
            await Task.Delay(_latency, context.RequestAborted);
        }

        string model = body.RootElement.TryGetProperty("model", out JsonElement m) ? m.GetString() ?? "model" : "model";
        context.Response.ContentType = "application/json";
        byte[] answer = Encoding.UTF8.GetBytes(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":" + JsonSerializer.Serialize(model) +
            ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"A short answer from the loopback model.\"},\"finish_reason\":\"stop\"}]," +
            "\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":9,\"total_tokens\":51}}");
        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
    }
}
