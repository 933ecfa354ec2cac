using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace LlmRouting.IntegrationTests;

/// <summary>
/// Per-model fault injection for <see cref="FakeOpenAIServer"/> (install with <see cref="Install"/>): a script of
/// faults consumed one per request, then a random fault at <see cref="SetRandom"/>'s rate (seeded, so runs repeat).
/// </summary>
public sealed class FaultInjector
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FaultKind>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (double Rate, FaultKind[] Kinds)> _random = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FaultKind, int> _injected = new();
    private readonly Lock _randomGate = new();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Random _rng;

    /// <summary>Initializes a new instance of the <see cref="FaultInjector"/> class.</summary>
    /// <param name="seed">The seed of the random faults.</param>
    public FaultInjector(int seed = 42)
    {
        _rng = new Random(seed);
    }

    /// <summary>Gets or sets the <c>Retry-After</c> value of a 429, in seconds.</summary>
    public string RetryAfter { get; set; } = "0";

    /// <summary>Gets or sets how long a <see cref="FaultKind.Delay"/> waits before answering.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many content chunks a broken or stalled stream sends first.</summary>
    public int ChunksBeforeBreak { get; set; } = 2;

    /// <summary>Gets or sets how long a breaking stream waits after its last chunk before the connection is reset.</summary>
    public TimeSpan BreakAfter { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets how many faults of each kind were injected.</summary>
    public IReadOnlyDictionary<FaultKind, int> Injected => _injected;

    /// <summary>Gets a task that completes when the client first closed a connection while a delayed or stalled fault was waiting.</summary>
    public Task Disconnected => _disconnected.Task;

    /// <summary>Gets the total number of faults injected.</summary>
    public int TotalInjected => _injected.Values.Sum();

    /// <summary>Queues faults for the next requests to <paramref name="model"/>, one per request.</summary>
    /// <param name="model">The model id as the server receives it.</param>
    /// <param name="faults">The faults, in order.</param>
    /// <returns>This injector.</returns>
    public FaultInjector Script(string model, params FaultKind[] faults)
    {
        ConcurrentQueue<FaultKind> queue = _scripts.GetOrAdd(model, _ => new ConcurrentQueue<FaultKind>());
        foreach (FaultKind fault in faults)
        {
            queue.Enqueue(fault);
        }

        return this;
    }

    /// <summary>Injects a random fault from <paramref name="kinds"/> into a share of the requests to <paramref name="model"/>.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="rate">The share of requests that fail, 0 to 1.</param>
    /// <param name="kinds">The faults to choose from.</param>
    /// <returns>This injector.</returns>
    public FaultInjector SetRandom(string model, double rate, params FaultKind[] kinds)
    {
        _random[model] = (rate, kinds);
        return this;
    }

    /// <summary>Makes <paramref name="server"/> consult this injector on every request.</summary>
    /// <param name="server">The server.</param>
    public void Install(FakeOpenAIServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.Intercept = InterceptAsync;
    }

    private FaultKind Next(string model)
    {
        if (_scripts.TryGetValue(model, out ConcurrentQueue<FaultKind>? queue) && queue.TryDequeue(out FaultKind scripted))
        {
            return scripted;
        }

        if (_random.TryGetValue(model, out (double Rate, FaultKind[] Kinds) random) && random.Kinds.Length > 0)
        {
            lock (_randomGate)
            {
                if (_rng.NextDouble() < random.Rate)
                {
                    return random.Kinds[_rng.Next(random.Kinds.Length)];
                }
            }
        }

        return FaultKind.None;
    }

    private async Task<bool> InterceptAsync(HttpContext context, RecordedRequest request)
    {
        FaultKind fault = Next(request.Model);
        if (fault == FaultKind.None)
        {
            return false;
        }

        _injected.AddOrUpdate(fault, 1, static (_, n) => n + 1);
        HttpResponse response = context.Response;
        switch (fault)
        {
            case FaultKind.RateLimited:
                response.StatusCode = 429;
                response.Headers.RetryAfter = RetryAfter;
                await WriteErrorAsync(context, "rate_limit_exceeded", "Rate limit reached.");
                return true;
            case FaultKind.InternalServerError:
                response.StatusCode = 500;
                await WriteErrorAsync(context, "server_error", "The server had an error.");
                return true;
            case FaultKind.ServiceUnavailable:
                response.StatusCode = 503;
                await WriteErrorAsync(context, "overloaded", "The engine is overloaded.");
                return true;
            case FaultKind.BadRequest:
                response.StatusCode = 400;
                await WriteErrorAsync(context, "invalid_request_error", "Invalid request.");
                return true;
            case FaultKind.Delay:
                return !await WaitAsync(context, Delay); // then the normal answer, unless the client gave up (timeout or cancellation)
            case FaultKind.SlowFirstChunk:
                if (!request.Stream)
                {
                    return !await WaitAsync(context, Delay);
                }

                response.ContentType = "text/event-stream";
                await response.Body.FlushAsync(context.RequestAborted); // the headers go out now; the first chunk waits
                return !await WaitAsync(context, Delay);
            case FaultKind.TruncatedAnswer:
                await WriteTruncatedAsync(context, request);
                return true;
            case FaultKind.ConnectionAbort:
                context.Abort();
                return true;
            case FaultKind.MalformedJson:
                response.StatusCode = 200;
                response.ContentType = request.Stream ? "text/event-stream" : "application/json";
                await response.WriteAsync(request.Stream ? "data: {\"id\": \"chatcmpl-x\", \"choices\": [{\n\n" : "{\"id\": \"chatcmpl-x\", \"choices\": [{", context.RequestAborted);
                return true;
            case FaultKind.StreamBreak:
            case FaultKind.StreamStall:
                await WritePartialStreamAsync(context, request, stall: fault == FaultKind.StreamStall);
                return true;
            default:
                throw new InvalidOperationException($"Unknown fault {fault}.");
        }
    }

    private async Task WritePartialStreamAsync(HttpContext context, RecordedRequest request, bool stall)
    {
        if (!request.Stream)
        {
            // A non-streaming request cannot break mid-stream: the connection drops before the answer.
            context.Abort();
            return;
        }

        context.Response.ContentType = "text/event-stream";
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string answer = FakeOpenAIServer.AnswerOf(request.Model);
        await FakeOpenAIServer.WriteEventAsync(context, FakeOpenAIServer.Chunk(id, created, request.Model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null));
        string[] words = answer.Split(' ');
        for (int i = 0; i < Math.Min(ChunksBeforeBreak, words.Length); i++)
        {
            string piece = i == 0 ? words[i] : " " + words[i];
            await FakeOpenAIServer.WriteEventAsync(context, FakeOpenAIServer.Chunk(id, created, request.Model, new JsonObject { ["content"] = piece }, null));
        }

        if (stall)
        {
            await WaitAsync(context, Timeout.InfiniteTimeSpan); // until the client gives up on the stalled stream
            return;
        }

        // Let the client read what was sent: a reset would otherwise discard the unread bytes, and the break would
        // look like a connection error before any output.
        await Task.Delay(BreakAfter, context.RequestAborted);
        context.Abort();
    }

    /// <summary>Waits, unless the client closes the connection first.</summary>
    /// <returns><see langword="true"/> when the wait ran out; <see langword="false"/> when the client disconnected.</returns>
    private async Task<bool> WaitAsync(HttpContext context, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            _disconnected.TrySetResult();
            return false;
        }
    }

    private static async Task WriteTruncatedAsync(HttpContext context, RecordedRequest request)
    {
        string answer = FakeOpenAIServer.AnswerOf(request.Model);
        int promptTokens = Math.Max(1, request.Body.Length / 4);
        int completionTokens = answer.Split(' ').Length;
        if (!request.Stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(FakeOpenAIServer.Completion(request.Model, answer, promptTokens, completionTokens, finishReason: "length"), context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await FakeOpenAIServer.WriteEventAsync(context, FakeOpenAIServer.Chunk(id, created, request.Model, new JsonObject { ["role"] = "assistant", ["content"] = answer }, null));
        await FakeOpenAIServer.WriteEventAsync(context, FakeOpenAIServer.Chunk(id, created, request.Model, new JsonObject(), "length"));
        await FakeOpenAIServer.WriteEventAsync(context, FakeOpenAIServer.UsageChunk(id, created, request.Model, promptTokens, completionTokens));
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext context, string code, string message)
    {
        context.Response.ContentType = "application/json";
        string body = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = code, ["code"] = code },
        }.ToJsonString();
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Gets how many faults of <paramref name="kind"/> were injected.</summary>
    /// <param name="kind">The fault kind.</param>
    /// <returns>The count.</returns>
    public int Count(FaultKind kind) => _injected.TryGetValue(kind, out int n) ? n : 0;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Join(", ", _injected.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));
}
