using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Caching;

namespace LlmRouting.Tests.Caching;

public class SemanticCacheTests
{
    private const string Question = "What are your opening hours on Saturday?";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly TestChatClient _inner = new("inner");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Paraphrase_AboveThreshold_IsServedFromCache(bool streaming)
    {
        SemanticCacheChatClient cache = Create();

        string first = await AskAsync(cache, Question, null, streaming);
        string second = await AskAsync(cache, "Your opening hours on Saturday?", null, streaming);
        string third = await AskAsync(cache, "what are your opening hours on saturday please", null, !streaming);

        Assert.Equal(1, _inner.Calls);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
    }

    [Fact]
    public async Task NearMiss_BelowThreshold_CallsThrough()
    {
        SemanticCacheChatClient cache = Create();

        await AskAsync(cache, Question, null, streaming: false);
        await AskAsync(cache, "What are your opening hours on Sunday?", null, streaming: false);
        await AskAsync(cache, "What are the opening hours on Saturday?", null, streaming: false);

        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task Threshold_IsTunable()
    {
        SemanticCacheChatClient cache = Create(o => o.SimilarityThreshold = 0.70);

        await AskAsync(cache, Question, null, streaming: false);
        await AskAsync(cache, "What are the opening hours on Saturday?", null, streaming: false);

        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task TenantIsolation_NoAnswerIsEverServedAcrossTenants()
    {
        // Property-style: random tenants, paraphrases and contexts; every answer must be the asking tenant's own.
        string[] tenants = ["acme", "globex", "initech", string.Empty];
        string[] questions = [Question, "Your opening hours on Saturday?", "How do I reset my password?", "How do I reset my password please", "Where is my order?"];
        string[] systems = ["You are a shop assistant.", "You are a bank assistant."];
        _inner.GetResponseAsyncCallback = (messages, options, _) => Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, $"for:{CachedResponses.TenantOf(options)}|ctx:{messages.First().Text}|{Guid.NewGuid():N}")));
        SemanticCacheChatClient cache = Create();
        var random = new Random(20261124);
        int hits = 0;

        for (int i = 0; i < 400; i++)
        {
            string tenant = tenants[random.Next(tenants.Length)];
            string system = systems[random.Next(systems.Length)];
            ChatOptions options = new() { AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = tenant } };
            int before = _inner.Calls;
            ChatResponse response = await cache.GetResponseAsync(
                [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, questions[random.Next(questions.Length)])], options);
            hits += _inner.Calls == before ? 1 : 0;

            Assert.StartsWith($"for:{tenant}|ctx:{system}|", response.Text, StringComparison.Ordinal);
        }

        Assert.InRange(hits, 300, 399);
    }

    [Fact]
    public async Task Entries_ExpireAfterTimeToLive()
    {
        SemanticCacheChatClient cache = Create(o => o.TimeToLive = TimeSpan.FromMinutes(10));

        await AskAsync(cache, Question, null, streaming: false);
        _time.Advance(TimeSpan.FromMinutes(9));
        await AskAsync(cache, Question, null, streaming: false);
        Assert.Equal(1, _inner.Calls);

        _time.Advance(TimeSpan.FromMinutes(1));
        await AskAsync(cache, Question, null, streaming: false);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task FullIndex_EvictsTheOldestEntry()
    {
        SemanticCacheChatClient cache = Create(o => o.MaxEntries = 2);

        await AskAsync(cache, "How do I reset my password?", null, streaming: false);
        _time.Advance(TimeSpan.FromSeconds(1));
        await AskAsync(cache, "Where is my order?", null, streaming: false);
        _time.Advance(TimeSpan.FromSeconds(1));
        await AskAsync(cache, Question, null, streaming: false);
        Assert.Equal(3, _inner.Calls);
        Assert.Equal(2, ((InMemorySemanticCacheIndex)cache.Index).Count);

        await AskAsync(cache, "Where is my order?", null, streaming: false);
        await AskAsync(cache, Question, null, streaming: false);
        Assert.Equal(3, _inner.Calls);

        await AskAsync(cache, "How do I reset my password?", null, streaming: false);
        Assert.Equal(4, _inner.Calls);
    }

    [Fact]
    public async Task RequestsWithToolsImagesOrNoCacheFlag_AreSkipped()
    {
        SemanticCacheChatClient cache = Create();
        ChatOptions tools = new() { Tools = [AIFunctionFactory.Create(() => "sunny", "weather")] };
        ChatOptions noCache = new() { AdditionalProperties = new() { [RequestMetadataKeys.NoCache] = "true" } };
        ChatMessage image = new(ChatRole.User, [new TextContent(Question), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        for (int i = 0; i < 2; i++)
        {
            await cache.GetResponseAsync(Question, tools);
            await cache.GetResponseAsync([image]);
            await cache.GetResponseAsync(Question, noCache);
        }

        Assert.Equal(6, _inner.Calls);
        Assert.Equal(0, ((InMemorySemanticCacheIndex)cache.Index).Count);
    }

    [Fact]
    public async Task TruncatedOrIncompleteAnswers_AreNotStored()
    {
        _inner.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut")) { FinishReason = ChatFinishReason.Length });
        SemanticCacheChatClient cache = Create();

        await AskAsync(cache, Question, null, streaming: false);
        await foreach (ChatResponseUpdate update in cache.GetStreamingResponseAsync(Question))
        {
            break;
        }

        Assert.Equal(0, ((InMemorySemanticCacheIndex)cache.Index).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HitThroughRouter_IsMarkedWithSimilarity_AndStoresNoRouteInfo(bool streaming)
    {
        var services = new ServiceCollection();
        var recording = new RecordingIndex(new InMemorySemanticCacheIndex(timeProvider: _time));
        services.AddSingleton<ISemanticCacheIndex>(recording);
        services.AddSingleton<TimeProvider>(_time);
        services.AddLlmRouter(r => r.AddTarget("economy", _inner, t => t.Prices(input: 0.15m, output: 0.60m)).Default("economy"))
            .UseSemanticCache();
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        RouteInfo first = await RouteAsync(chat, Question, streaming);
        RouteInfo second = await RouteAsync(chat, "Your opening hours on Saturday?", streaming);

        Assert.False(first.IsCacheHit);
        Assert.True(second.IsCacheHit);
        Assert.InRange(second.CacheSimilarity!.Value, SemanticCacheOptions.DefaultSimilarityThreshold, 1.0);
        Assert.Equal("economy", second.Target);
        Assert.Equal(SemanticCacheChatClient.StrategyName, second.Strategy);
        Assert.Equal(0m, second.Cost);
        Assert.Null(second.Usage);
        Assert.Equal(1, _inner.Calls);
        SemanticCacheEntry stored = Assert.Single(recording.Added);
        Assert.Equal("economy", stored.Target);
        Assert.DoesNotContain("llmrouting", System.Text.Encoding.UTF8.GetString(stored.Response.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InsideRouterPerTarget_MarksTheRoutersRouteInfo()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("economy", _inner)
            .DecorateTargets(d => new SemanticCacheChatClient(d.Client, timeProvider: _time))
            .Default("economy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync(Question);
        RouteInfo route = (await chat.GetResponseAsync("Your opening hours on Saturday?")).GetRouteInfo()!;

        Assert.True(route.IsCacheHit);
        Assert.True(route.CacheSimilarity >= 0.92);
        Assert.Equal("default", route.Strategy);
    }

    private SemanticCacheChatClient Create(Action<SemanticCacheOptions>? configure = null)
    {
        var options = new SemanticCacheOptions();
        configure?.Invoke(options);
        return new SemanticCacheChatClient(_inner, options: options, timeProvider: _time);
    }

    private static async Task<string> AskAsync(IChatClient client, string question, ChatOptions? options, bool streaming)
    {
        if (!streaming)
        {
            return (await client.GetResponseAsync(question, options)).Text;
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(question, options))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse().Text;
    }

    private static async Task<RouteInfo> RouteAsync(IChatClient client, string question, bool streaming)
    {
        if (!streaming)
        {
            return (await client.GetResponseAsync(question)).GetRouteInfo()!;
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(question))
        {
            updates.Add(update);
        }

        Assert.NotEmpty(updates);
        Assert.All(updates, u => Assert.Same(updates[0].GetRouteInfo(), u.GetRouteInfo()));
        return updates[0].GetRouteInfo()!;
    }

    private sealed class RecordingIndex(ISemanticCacheIndex inner) : ISemanticCacheIndex
    {
        public List<SemanticCacheEntry> Added { get; } = [];

        public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheScope scope, ReadOnlyMemory<float> vector, float minSimilarity, CancellationToken cancellationToken = default) =>
            inner.FindNearestAsync(scope, vector, minSimilarity, cancellationToken);

        public ValueTask AddAsync(SemanticCacheScope scope, ReadOnlyMemory<float> vector, SemanticCacheEntry entry, CancellationToken cancellationToken = default)
        {
            Added.Add(entry);
            return inner.AddAsync(scope, vector, entry, cancellationToken);
        }

        public ValueTask<int> RemoveTenantAsync(string tenant, CancellationToken cancellationToken = default) => inner.RemoveTenantAsync(tenant, cancellationToken);
    }
}
