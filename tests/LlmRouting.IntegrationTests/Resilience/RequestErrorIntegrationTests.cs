using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;

namespace LlmRouting.IntegrationTests;

/// <summary>A request the official OpenAI client cannot serialize surfaces at once: nothing sent, nothing retried, nothing fallen over.</summary>
public sealed class RequestErrorIntegrationTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public RequestErrorIntegrationTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ToolResultNestedDeeperThanTheSerializerLimit_SurfacesAtOnce_WithoutRetryOrFallback(bool streaming)
    {
        string prefix = FaultToleranceTests.Unique();
        var observer = new CollectingObserver();
        int retries = 0;
        using var router = new FaultRouter(
            _server,
            prefix,
            o =>
            {
                o.Resilience.EnableRetry = true;
                o.Resilience.Retry.MaxRetryAttempts = 2;
                o.Resilience.Retry.Delay = TimeSpan.FromSeconds(3);
                o.Resilience.Retry.OnRetry = _ => { Interlocked.Increment(ref retries); return default; };
            },
            r => r.AddObserver(observer));
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "look it up"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-1", "lookup")]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", Nested(100))]),
        ];
        var watch = Stopwatch.StartNew();

        Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(router.Chat, messages, streaming));

        watch.Stop();
        Assert.True(thrown is JsonException || thrown.InnerException is JsonException, $"{thrown.GetType().Name}: {thrown.InnerException?.GetType().Name}");
        Assert.Equal(0, retries);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"surfaced after {watch.Elapsed}"); // one retry alone would wait 3 s
        Assert.DoesNotContain(_server.Requests, r => r.Model.StartsWith(prefix, StringComparison.Ordinal)); // nothing was sent, to any target
        RouteInfo route = Assert.Single(observer.Routes);
        RouteAttempt attempt = Assert.Single(route.Attempts); // the primary once: no retry, no fallback
        Assert.Equal(RouteAttemptOutcome.Failed, attempt.Outcome);
        Assert.Equal(CircuitState.Closed, router.Health.GetHealth("a").State);
    }

    private static Dictionary<string, object?> Nested(int depth)
    {
        var root = new Dictionary<string, object?>();
        Dictionary<string, object?> current = root;
        for (int i = 0; i < depth; i++)
        {
            var child = new Dictionary<string, object?>();
            current["nested"] = child;
            current = child;
        }

        return root;
    }

    private static async Task SendAsync(IChatClient chat, List<ChatMessage> messages, bool streaming)
    {
        if (!streaming)
        {
            await chat.GetResponseAsync(messages);
            return;
        }

        await foreach (ChatResponseUpdate _ in chat.GetStreamingResponseAsync(messages))
        {
        }
    }
}
