using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

/// <summary>Errors the client throws about the request itself surface at once: no retry, no fallback, no circuit-breaker failure.</summary>
public class RequestErrorTests
{
    /// <summary>The serializer's own error for an object nested deeper than its limit of 64, as a client serializing a tool result throws it.</summary>
    internal static JsonException SerializationError()
    {
        var root = new Dictionary<string, object?>();
        Dictionary<string, object?> current = root;
        for (int i = 0; i < 100; i++)
        {
            var child = new Dictionary<string, object?>();
            current["nested"] = child;
            current = child;
        }

        return Assert.Throws<JsonException>(() => JsonSerializer.Serialize(root));
    }

    /// <summary>The reader's error for a body that is not JSON, as a client reading a broken 200 throws it.</summary>
    internal static JsonException MalformedBodyError() =>
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("{\"choices\": [ {\"message\": "));

    public static TheoryData<string> RequestErrors() => ["json-serialization", "argument", "argument-null", "not-supported", "invalid-operation"];

    private static Exception Create(string kind) => kind switch
    {
        "json-serialization" => SerializationError(),
        "argument" => new ArgumentException("Messages must not be empty.", "messages"),
        "argument-null" => new ArgumentNullException("options"),
        "not-supported" => new NotSupportedException("This content type is not supported."),
        "invalid-operation" => new InvalidOperationException("The client is not configured."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Fact]
    public void SerializationErrors_AreNotTransient_ButMalformedBodiesAre()
    {
        Assert.False(ProviderFailures.IsTransient(SerializationError()));
        Assert.False(ProviderFailures.IsTransient(new InvalidOperationException("wrapped", SerializationError())));
        Assert.True(ProviderFailures.IsTransient(MalformedBodyError()));
        Assert.True(ProviderFailures.IsTransient(new InvalidOperationException("wrapped", MalformedBodyError())));
        Assert.False(ProviderFailures.IsTransient(new ArgumentException("bad", new IOException("not the cause"))));
        Assert.False(ProviderFailures.IsTransient(new NotSupportedException("bad", new IOException("not the cause"))));
    }

    [Theory]
    [MemberData(nameof(RequestErrors))]
    public async Task RequestError_SurfacesAtOnce_WithoutRetryFallbackOrCircuitCount(string kind)
    {
        foreach (bool streaming in new[] { false, true })
        {
            Exception error = Create(kind);
            int calls = 0;
            var premium = new TestChatClient("premium")
            {
                GetResponseAsyncCallback = (_, _, _) => { calls++; return Task.FromException<ChatResponse>(error); },
                GetStreamingResponseAsyncCallback = (_, _, _) => { calls++; return Streams.FailBeforeTheFirstUpdate(error); },
            };
            var economy = new TestChatClient("economy");
            await using ServiceProvider provider = Build(premium, economy);
            IChatClient chat = provider.GetRequiredService<IChatClient>();

            for (int i = 0; i < 3; i++)
            {
                Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(chat, streaming));
                Assert.Same(error, thrown);
            }

            Assert.Equal(3, calls); // one call per request: no retry
            Assert.Equal(0, economy.Calls); // no fallback: the next target would fail the same way
            Assert.Equal(CircuitState.Closed, provider.GetRequiredService<TargetHealthMonitor>().GetHealth("premium").State);
        }
    }

    private static ServiceProvider Build(TestChatClient premium, TestChatClient economy)
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", premium);
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("premium")
            .UseFallback(o =>
            {
                o.Resilience.Retry.Delay = TimeSpan.Zero;
                o.Resilience.Retry.UseJitter = false;
                o.Resilience.CircuitBreaker.MinimumThroughput = 2; // two counted failures would open it
            }));
        return services.BuildServiceProvider();
    }

    private static async Task SendAsync(IChatClient chat, bool streaming)
    {
        if (!streaming)
        {
            await chat.GetResponseAsync("hello");
            return;
        }

        await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("hello"));
    }
}
