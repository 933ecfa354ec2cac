using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Caching;

namespace LlmRouting.Tests.Caching;

public sealed class ExactCacheTests : IDisposable
{
    private readonly TestChatClient _premium = new("premium");
    private readonly TestChatClient _economy = new("economy");
    private readonly ServiceProvider _provider;
    private readonly IChatClient _chat;

    public ExactCacheTests()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", _premium, t => t.Prices(input: 2.50m, output: 10m))
            .AddTarget("economy", _economy, t => t.Prices(input: 0.15m, output: 0.60m).Supports(ModelCapabilities.Tools))
            .UseRules(rules => rules.When(req => req.Metadata("tier") == "pro").RouteTo("premium"))
            .UseExactCache()
            .Default("economy"));
        _provider = services.BuildServiceProvider();
        _chat = _provider.GetRequiredService<IChatClient>();
    }

    public void Dispose() => _provider.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SecondIdenticalRequest_IsServedFromCache_AtNoCost(bool streaming)
    {
        (string first, RouteInfo firstRoute) = await AskAsync("What is the capital of France?", Options(), streaming);
        (string second, RouteInfo secondRoute) = await AskAsync("What is the capital of France?", Options(), streaming);

        Assert.Equal(1, _economy.Calls);
        Assert.Equal(first, second);
        Assert.False(firstRoute.IsCacheHit);
        Assert.NotNull(firstRoute.Cost);
        Assert.True(secondRoute.IsCacheHit);
        Assert.Equal(0m, secondRoute.Cost); // a cache hit is free
        Assert.Null(secondRoute.Usage);
        Assert.Equal("economy", secondRoute.Target);
    }

    [Fact]
    public async Task StreamedAnswer_IsReplayedToNonStreamingCaller_AndBack()
    {
        (string streamed, _) = await AskAsync("Explain DNS.", Options(), streaming: true);
        (string plain, RouteInfo route) = await AskAsync("Explain DNS.", Options(), streaming: false);

        Assert.Equal(1, _economy.Calls);
        Assert.Equal(streamed, plain);
        Assert.True(route.IsCacheHit);
    }

    [Fact]
    public async Task KeyIncludesRoutedTarget()
    {
        await AskAsync("Same question", Options(tier: "pro"), streaming: false);
        await AskAsync("Same question", Options(), streaming: false);
        (_, RouteInfo again) = await AskAsync("Same question", Options(tier: "pro"), streaming: false);

        Assert.Equal(1, _premium.Calls);
        Assert.Equal(1, _economy.Calls);
        Assert.True(again.IsCacheHit);
    }

    [Fact]
    public async Task KeyIncludesTenant_OptionsAndTools()
    {
        await AskAsync("Q", Options(tenant: "a"), streaming: false);
        await AskAsync("Q", Options(tenant: "b"), streaming: false);
        ChatOptions warm = Options(tenant: "a");
        warm.Temperature = 0.9f;
        await AskAsync("Q", warm, streaming: false);
        ChatOptions withTool = Options(tenant: "a");
        withTool.Tools = [AIFunctionFactory.Create((string city) => city, "weather")];
        await AskAsync("Q", withTool, streaming: false);
        ChatOptions otherTool = Options(tenant: "a");
        otherTool.Tools = [AIFunctionFactory.Create((int zip) => zip, "weather")];
        await AskAsync("Q", otherTool, streaming: false);

        Assert.Equal(5, _economy.Calls);

        await AskAsync("Q", Options(tenant: "b"), streaming: false);
        Assert.Equal(5, _economy.Calls);
    }

    [Fact]
    public async Task UsersNeverShareAnAnswer_EvenForTheSameRequestWithTheSamePersonalData()
    {
        const string Question = "My card is 4111 1111 1111 1111, what is my balance?";
        ChatOptions alice = Options(tenant: "a");
        alice.AdditionalProperties![RequestMetadataKeys.User] = "alice";
        ChatOptions bob = Options(tenant: "a");
        bob.AdditionalProperties![RequestMetadataKeys.User] = "bob";

        await AskAsync(Question, alice, streaming: false);
        (_, RouteInfo bobs) = await AskAsync(Question, bob, streaming: false);
        Assert.Equal(2, _economy.Calls);
        Assert.False(bobs.IsCacheHit);

        (_, RouteInfo again) = await AskAsync(Question, alice, streaming: false);
        Assert.Equal(2, _economy.Calls);
        Assert.True(again.IsCacheHit);
    }

    [Theory]
    [InlineData("length")]
    [InlineData("content_filter")]
    [InlineData("error")]
    public async Task TruncatedRefusedOrErrorAnswers_AreNeverCached(string kind)
    {
        _economy.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(kind switch
        {
            "length" => new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut")) { FinishReason = ChatFinishReason.Length },
            "content_filter" => new ChatResponse(new ChatMessage(ChatRole.Assistant, "I can't help")) { FinishReason = ChatFinishReason.ContentFilter },
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new ErrorContent("overloaded")])),
        });

        await AskAsync("Q", Options(), streaming: false);
        (_, RouteInfo second) = await AskAsync("Q", Options(), streaming: false);

        Assert.Equal(2, _economy.Calls);
        Assert.False(second.IsCacheHit);
    }

    [Fact]
    public async Task Exceptions_AreNeverCached()
    {
        int calls = 0;
        _economy.GetResponseAsyncCallback = (_, _, _) => ++calls == 1
            ? throw new InvalidOperationException("provider down")
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "fine")));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _chat.GetResponseAsync("Q", Options()));
        ChatResponse response = await _chat.GetResponseAsync("Q", Options());

        Assert.Equal("fine", response.Text);
        Assert.Equal(2, _economy.Calls);
    }

    [Fact]
    public async Task AbandonedOrFailedStreams_AreNeverCached()
    {
        await foreach (ChatResponseUpdate update in _chat.GetStreamingResponseAsync("Q", Options()))
        {
            break;
        }

        _economy.GetStreamingResponseAsyncCallback = (_, _, _) => FailingStream();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (ChatResponseUpdate update in _chat.GetStreamingResponseAsync("Q", Options()))
            {
                _ = update;
            }
        });

        _economy.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "complete")));
        ChatResponse response = await _chat.GetResponseAsync("Q", Options());

        Assert.Equal("complete", response.Text);
        Assert.Equal(3, _economy.Calls);

        static async IAsyncEnumerable<ChatResponseUpdate> FailingStream([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "half an ans");
            throw new IOException("connection reset");
        }
    }

    [Fact]
    public async Task NoCacheFlag_BypassesTheCache()
    {
        ChatOptions options = Options();
        options.AdditionalProperties![RequestMetadataKeys.NoCache] = true;

        await AskAsync("Q", options, streaming: false);
        await AskAsync("Q", options, streaming: true);
        await AskAsync("Q", Options(), streaming: false);
        (_, RouteInfo route) = await AskAsync("Q", Options(), streaming: false);

        Assert.Equal(3, _economy.Calls);
        Assert.True(route.IsCacheHit);
    }

    [Fact]
    public async Task ConcurrentIdenticalRequests_MakeOneProviderCall()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _economy.GetResponseAsyncCallback = async (_, _, _) =>
        {
            await release.Task;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "shared")) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } };
        };

        Task<ChatResponse>[] pending = [.. Enumerable.Range(0, 16).Select(_ => _chat.GetResponseAsync("Stampede?", Options()))];
        while (_economy.Calls == 0)
        {
            await Task.Yield();
        }

        release.SetResult();
        ChatResponse[] responses = await Task.WhenAll(pending);

        Assert.Equal(1, _economy.Calls);
        Assert.All(responses, r => Assert.Equal("shared", r.Text));
        Assert.Equal(15, responses.Count(r => r.GetRouteInfo()!.IsCacheHit));
        Assert.Equal(16, responses.Select(r => r.GetRouteInfo()).Distinct().Count());
    }

    [Fact]
    public async Task ConcurrentIdenticalRequests_ShareAnUncacheableAnswer_WithoutStoringIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _economy.GetResponseAsyncCallback = async (_, _, _) =>
        {
            await release.Task;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut off")) { FinishReason = ChatFinishReason.Length };
        };

        Task<ChatResponse>[] pending = [.. Enumerable.Range(0, 8).Select(_ => _chat.GetResponseAsync("Long essay", Options()))];
        while (_economy.Calls == 0)
        {
            await Task.Yield();
        }

        release.SetResult();
        ChatResponse[] responses = await Task.WhenAll(pending);
        ChatResponse after = await _chat.GetResponseAsync("Long essay", Options());

        Assert.All(responses, r => Assert.Equal("cut off", r.Text));
        Assert.Equal(8, responses.Distinct().Count());
        Assert.Equal(2, _economy.Calls);
        Assert.False(after.GetRouteInfo()!.IsCacheHit);
    }

    [Fact]
    public async Task RequestsThatCannotBeHashed_BypassTheCache()
    {
        ChatMessage custom = new(ChatRole.User, [new TextContent("Q"), new OpaqueContent()]);

        await _chat.GetResponseAsync([custom], Options());
        await _chat.GetResponseAsync([custom], Options());

        Assert.Equal(2, _economy.Calls);
    }

    [Fact]
    public async Task RemoveByTag_InvalidatesOneTenantOnly()
    {
        await AskAsync("Q", Options(tenant: "a"), streaming: false);
        await AskAsync("Q", Options(tenant: "b"), streaming: false);
        HybridCache cache = _provider.GetRequiredService<HybridCache>();

        await cache.RemoveByTagAsync(ChatCacheTags.ForTenant("a"));
        (_, RouteInfo a) = await AskAsync("Q", Options(tenant: "a"), streaming: false);
        (_, RouteInfo b) = await AskAsync("Q", Options(tenant: "b"), streaming: false);

        Assert.False(a.IsCacheHit);
        Assert.True(b.IsCacheHit);
        Assert.Equal(3, _economy.Calls);
    }

    [Fact]
    public async Task RemoveByTag_InvalidatesOneTarget()
    {
        await AskAsync("Q", Options(tier: "pro"), streaming: false);
        await AskAsync("Q", Options(), streaming: false);

        await _provider.GetRequiredService<HybridCache>().RemoveByTagAsync(ChatCacheTags.ForTarget("premium"));
        await AskAsync("Q", Options(tier: "pro"), streaming: false);
        await AskAsync("Q", Options(), streaming: false);

        Assert.Equal(2, _premium.Calls);
        Assert.Equal(1, _economy.Calls);
    }

    [Fact]
    public void StoredEntries_NeverContainRouteInfo()
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi"));
        response.AdditionalProperties = new() { ["provider.extra"] = "kept" };
        response.AdditionalProperties[RequestMetadataKeys.RouteInfo] = "stand-in for a RouteInfo";
        response.AdditionalProperties[CacheHitMarker.Key] = CacheHitMarker.Exact;

        string json = System.Text.Encoding.UTF8.GetString(CachedResponses.Serialize(response));

        Assert.DoesNotContain("llmrouting", json, StringComparison.Ordinal);
        Assert.Contains("provider.extra", json, StringComparison.Ordinal);
        Assert.Equal(3, response.AdditionalProperties.Count);
    }

    private sealed class OpaqueContent : AIContent;

    private static ChatOptions Options(string? tenant = null, string? tier = null)
    {
        var options = new ChatOptions { AdditionalProperties = [] };
        if (tenant is not null)
        {
            options.AdditionalProperties[RequestMetadataKeys.Tenant] = tenant;
        }

        if (tier is not null)
        {
            options.AdditionalProperties[RequestMetadataKeys.Tier] = tier;
        }

        return options;
    }

    private async Task<(string Text, RouteInfo Route)> AskAsync(string question, ChatOptions options, bool streaming)
    {
        if (!streaming)
        {
            ChatResponse response = await _chat.GetResponseAsync(question, options);
            return (response.Text, response.GetRouteInfo()!);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in _chat.GetStreamingResponseAsync(question, options))
        {
            updates.Add(update);
        }

        Assert.All(updates, u => Assert.Same(updates[0].GetRouteInfo(), u.GetRouteInfo()));
        return (updates.ToChatResponse().Text, updates[0].GetRouteInfo()!);
    }
}
