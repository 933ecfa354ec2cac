using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using LlmRouting.Resilience;

namespace LlmRouting.IntegrationTests;

/// <summary>Provider faults injected into a real HTTP server, driven through the official OpenAI client.</summary>
public sealed class FallbackIntegrationTests : IAsyncLifetime
{
    private FakeOpenAIServer _server = null!;
    private readonly ConcurrentDictionary<string, Func<HttpContext, RecordedRequest, Task<bool>>> _faults = new();

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAIServer.StartAsync();
        _server.Intercept = (context, request) =>
            _faults.TryGetValue(request.Model, out var fault) ? fault(context, request) : Task.FromResult(false);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServerError_FallsOverToTheNextModel(bool streaming)
    {
        _faults["primary-model"] = Status(503);
        using ServiceProvider provider = BuildRouter();

        (string text, RouteInfo route) = await SendAsync(provider.GetRequiredService<IChatClient>(), streaming);

        Assert.Equal(FakeOpenAIServer.AnswerOf("backup-model"), text);
        Assert.Equal("backup", route.Target);
        Assert.True(route.IsFallback);
        Assert.Equal([RouteAttemptOutcome.Failed, RouteAttemptOutcome.Succeeded], route.Attempts.Select(a => a.Outcome));
        Assert.Equal(3, _server.Requests.Count(r => r.Model == "primary-model")); // 1 try + 2 retries
        Assert.NotNull(route.Cost);
    }

    [Fact]
    public async Task RateLimitWithRetryAfter_IsRetriedOnTheSameModel()
    {
        int calls = 0;
        _faults["primary-model"] = async (context, _) =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return false;
            }

            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync("""{"error":{"message":"rate limited","type":"rate_limit"}}""");
            return true;
        };
        using ServiceProvider provider = BuildRouter();
        DateTimeOffset started = DateTimeOffset.UtcNow;

        (string text, RouteInfo route) = await SendAsync(provider.GetRequiredService<IChatClient>(), streaming: false);

        Assert.Equal(FakeOpenAIServer.AnswerOf("primary-model"), text);
        Assert.Equal("primary", route.Target);
        Assert.False(route.IsFallback);
        RecordedRequest[] primaryCalls = [.. _server.Requests.Where(r => r.Model == "primary-model")];
        Assert.Equal(2, primaryCalls.Length);
        Assert.True(primaryCalls[1].ReceivedAt - primaryCalls[0].ReceivedAt >= TimeSpan.FromSeconds(0.9), "Retry-After was not honoured.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DroppedConnection_FallsOver(bool streaming)
    {
        _faults["primary-model"] = (context, _) =>
        {
            context.Abort();
            return Task.FromResult(true);
        };
        using ServiceProvider provider = BuildRouter();

        (string text, RouteInfo route) = await SendAsync(provider.GetRequiredService<IChatClient>(), streaming);

        Assert.Equal(FakeOpenAIServer.AnswerOf("backup-model"), text);
        Assert.Equal("backup", route.Target);
    }

    [Fact]
    public async Task BadRequest_IsNotFailedOver()
    {
        _faults["primary-model"] = Status(400);
        using ServiceProvider provider = BuildRouter();

        ClientResultException ex = await Assert.ThrowsAsync<ClientResultException>(() => provider.GetRequiredService<IChatClient>().GetResponseAsync("hello"));

        Assert.Equal(400, ex.Status);
        Assert.DoesNotContain(_server.Requests, r => r.Model == "backup-model");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AStreamBrokenAfterOutput_SurfacesAsInterrupted_WithoutReplayingElsewhere(bool abortConnection)
    {
        _faults["primary-model"] = async (context, request) =>
        {
            context.Response.ContentType = "text/event-stream";
            await FakeOpenAIServer.WriteEventAsync(context, FakeOpenAIServer.Chunk("c1", 0, request.Model, new JsonObject { ["role"] = "assistant", ["content"] = "Half an " }, null));

            // Give the client time to hand the first chunk to the caller, then either drop the connection or end
            // the response cleanly without a finish reason or [DONE] (both look like a silent end to the SSE reader).
            await Task.Delay(300);
            if (abortConnection)
            {
                context.Abort();
            }

            return true;
        };
        using ServiceProvider provider = BuildRouter();
        var received = new List<string>();

        StreamInterruptedException ex = await Assert.ThrowsAsync<StreamInterruptedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal("Half an ", string.Concat(received));
        Assert.Equal("Half an ", ex.PartialText);
        Assert.Equal("primary", ex.Route!.Target);
        Assert.DoesNotContain("Half", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Requests, r => r.Model == "backup-model");
    }

    private static Func<HttpContext, RecordedRequest, Task<bool>> Status(int status) => async (context, _) =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync("""{"error":{"message":"injected fault","type":"server_error"}}""");
        return true;
    };

    private ServiceProvider BuildRouter()
    {
        // The SDK's own retries are turned off: the router's per-target pipeline owns retries and failover.
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions
        {
            Endpoint = _server.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("primary", openAi.GetChatClient("primary-model").AsIChatClient());
        services.AddKeyedChatClient("backup", openAi.GetChatClient("backup-model").AsIChatClient());
        services.AddLlmRouter(r => r
            .AddTarget("primary", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("backup", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Standard))
            .Default("primary")
            .UseFallback(o =>
            {
                o.Resilience.Retry.Delay = TimeSpan.FromMilliseconds(10);
                o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            }));
        return services.BuildServiceProvider();
    }

    private static async Task<(string Text, RouteInfo Route)> SendAsync(IChatClient chat, bool streaming)
    {
        if (!streaming)
        {
            ChatResponse response = await chat.GetResponseAsync("hello");
            return (response.Text, response.GetRouteInfo()!);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("hello"))
        {
            updates.Add(update);
        }

        return (updates.ToChatResponse().Text, updates[^1].GetRouteInfo()!);
    }
}
