using System.ClientModel;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;

namespace LlmRouting.IntegrationTests;

/// <summary>RouteInfo through MEAI's own pipeline, with the official OpenAI client on loopback: combined streams, caches above and below the router, OpenTelemetry above it.</summary>
public sealed class MeaiCompositionIntegrationTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public MeaiCompositionIntegrationTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Fact]
    public async Task AStreamCombinedByToChatResponseAsync_OrToChatResponse_StillCarriesItsRoute()
    {
        using ServiceProvider provider = Build(services => services.AddLlmRouter(Configure));
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        ChatResponse combined = await chat.GetStreamingResponseAsync($"Explain this stack trace {Guid.NewGuid():N}").ToChatResponseAsync();
        RouteInfo route = Assert.IsType<RouteInfo>(combined.GetRouteInfo());
        Assert.Equal(("premium", RouteOutcome.Succeeded), (route.Target, route.Outcome));
        Assert.True(route.Cost > 0);
        Assert.Null(combined.AdditionalProperties?.GetValueOrDefault(RequestMetadataKeys.RouteInfo)); // MEAI moved it onto the message
        Assert.Same(route, combined.Messages[^1].GetRouteInfo());

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync($"hello {Guid.NewGuid():N}"))
        {
            updates.Add(update);
        }

        RouteInfo second = Assert.IsType<RouteInfo>(updates.ToChatResponse().GetRouteInfo());
        Assert.Equal("economy", second.Target);
        Assert.Same(updates[^1].GetRouteInfo(), second);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MeaisDistributedCacheAboveTheRouter_StoresASmallContentFreeRoute_AndAHitIsAFreeCacheHitOfItsOwn(bool streaming)
    {
        var storage = new RecordingCache();
        using ServiceProvider provider = Build(services => services.AddLlmRouter(Configure).UseDistributedCache(storage));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string prompt = $"Explain this stack trace {Guid.NewGuid():N}";

        RouteInfo first = await SendAsync(chat, prompt, streaming);
        RouteInfo hit = await SendAsync(chat, prompt, streaming);

        Assert.Equal(("premium", false), (first.Target, first.IsCacheHit));
        Assert.True(first.Cost > 0);
        Assert.Single(_server.Requests, r => r.LastUserText == prompt);
        Assert.True(hit.IsCacheHit);
        Assert.Equal(0m, hit.Cost);
        Assert.Equal("cache", hit.Strategy);
        Assert.Equal(("premium", "gpt-premium-2025", QualityTier.Premium), (hit.Target, hit.ModelId, hit.Tier));
        Assert.NotEqual(first.RouteId, hit.RouteId);
        Assert.Empty(hit.Attempts);
        Assert.Null(hit.Usage);

        string stored = Assert.Single(storage.Written.Values);
        JsonNode storedRoute = Assert.Single(FindAll(JsonNode.Parse(stored), RequestMetadataKeys.RouteInfo));
        Assert.Equal("{\"v\":1,\"target\":\"premium\",\"modelId\":\"gpt-premium-2025\",\"tier\":\"Premium\"}", storedRoute.ToJsonString());
        Assert.DoesNotContain("PricePerMillion", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Analysis", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(first.RouteId, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARouteReadBackFromTheCache_IsTheSameInstanceOnEveryRead()
    {
        var storage = new RecordingCache();
        using ServiceProvider provider = Build(services => services.AddLlmRouter(Configure).UseDistributedCache(storage));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string prompt = $"hello {Guid.NewGuid():N}";
        await chat.GetResponseAsync(prompt);

        ChatResponse hit = await chat.GetResponseAsync(prompt);

        Assert.Same(hit.GetRouteInfo(), hit.GetRouteInfo());
        Assert.True(hit.GetRouteInfo()!.IsCacheHit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MeaisDistributedCacheBelowTheRouter_AHitIsMarkedAndNotBilled(bool streaming)
    {
        var storage = new RecordingCache();
        using ServiceProvider provider = Build(services => services.AddLlmRouter(r => Configure(r.DecorateTargets(d => new DistributedCachingChatClient(d.Client, storage)))));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string prompt = $"hello {Guid.NewGuid():N}";

        RouteInfo first = await SendAsync(chat, prompt, streaming);
        RouteInfo hit = await SendAsync(chat, prompt, streaming);

        Assert.Single(_server.Requests, r => r.LastUserText == prompt);
        Assert.False(first.IsCacheHit);
        Assert.True(first.Cost > 0);
        Assert.Equal(("economy", "rules"), (hit.Target, hit.Strategy)); // routed as usual, answered by the cache below
        Assert.True(hit.IsCacheHit);
        Assert.Equal(0m, hit.Cost);
        Assert.Null(hit.Usage);
        Assert.Equal(RouteAttemptOutcome.Succeeded, Assert.Single(hit.Attempts).Outcome);
        Assert.Null(Assert.Single(hit.Attempts).Cost);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenTelemetryAboveTheRouter_NamesTheSpanForNoDefaultTarget_AndReportsTheServedModel(bool streaming)
    {
        string source = $"llmrouting-tests-{Guid.NewGuid():N}";
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using ServiceProvider provider = Build(services => services.AddLlmRouter(Configure).UseOpenTelemetry(sourceName: source));
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await SendAsync(chat, $"Explain this stack trace {Guid.NewGuid():N}", streaming);
        await SendAsync(chat, $"hello {Guid.NewGuid():N}", streaming);

        Activity[] done = [.. spans];
        Assert.Equal(2, done.Length);
        Assert.All(done, span => Assert.Equal("chat", span.DisplayName));
        Assert.All(done, span => Assert.Null(span.GetTagItem("gen_ai.request.model")));
        Assert.Equal(["gpt-premium-2025", "economy-mini"], done.Select(s => s.GetTagItem("gen_ai.response.model") as string));
        Assert.All(done, span => Assert.Equal("llmrouting", span.GetTagItem("gen_ai.provider.name")));
    }

    private static void Configure(LlmRouterBuilder r) => r
        .AddTarget("premium", t => t.ModelId("gpt-premium-2025").Prices(input: 2.50m, output: 10m).Tier(QualityTier.Premium))
        .AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m).Tier(QualityTier.Economy))
        .UseRules(rules => rules
            .When(req => req.ContainsAny("stack trace"), "stack-trace").RouteTo("premium")
            .When(_ => true, "everything-else").RouteTo("economy"))
        .Default("economy");

    private ServiceProvider Build(Action<IServiceCollection> addRouter)
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", openAi.GetChatClient("gpt-premium").AsIChatClient());
        services.AddKeyedChatClient("economy", openAi.GetChatClient("economy-mini").AsIChatClient());
        addRouter(services);
        return services.BuildServiceProvider();
    }

    private static async Task<RouteInfo> SendAsync(IChatClient chat, string prompt, bool streaming) => streaming
        ? Assert.IsType<RouteInfo>((await chat.GetStreamingResponseAsync(prompt).ToChatResponseAsync()).GetRouteInfo())
        : Assert.IsType<RouteInfo>((await chat.GetResponseAsync(prompt)).GetRouteInfo());

    private static IEnumerable<JsonNode> FindAll(JsonNode? node, string key) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == key && p.Value is not null ? [p.Value] : FindAll(p.Value, key)),
        JsonArray a => a.SelectMany(item => FindAll(item, key)),
        _ => [],
    };

    /// <summary>An in-memory distributed cache that keeps what was written, as text.</summary>
    private sealed class RecordingCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public ConcurrentDictionary<string, string> Written { get; } = new();

        public byte[]? Get(string key) => _inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            Written[key] = Encoding.UTF8.GetString(value);
            _inner.Set(key, value, options);
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Written[key] = Encoding.UTF8.GetString(value);
            return _inner.SetAsync(key, value, options, token);
        }
    }
}
