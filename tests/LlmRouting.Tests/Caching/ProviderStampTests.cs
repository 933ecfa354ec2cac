using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

/// <summary>The provider stamp that tells a cache below the router: only on targets with a MEAI cache among their decorators.</summary>
public sealed class ProviderStampTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutACacheAmongTheDecorators_NothingIsStamped(bool streaming)
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient("economy"))
            .DecorateTargets(d => new PassThrough(d.Client))
            .Default("economy")
            .Build();

        AdditionalPropertiesDictionary? properties = streaming
            ? (await router.GetStreamingResponseAsync("hello").ToChatResponseAsync()).Messages[^1].AdditionalProperties
            : (await router.GetResponseAsync("hello")).AdditionalProperties;

        Assert.False(properties?.ContainsKey("llmrouting.provider") ?? false);
    }

    [Fact]
    public async Task WithMeaisCacheBelowTheRouter_AHitIsFreeAndMarked_AndTheStampNeverReachesTheCaller()
    {
        var provider = new TestChatClient("economy");
        IDistributedCache storage = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("economy", provider, t => t.Prices(input: 1m, output: 1m))
            .DecorateTargets(d => new DistributedCachingChatClient(d.Client, storage))
            .Default("economy")
            .Build();

        ChatResponse first = await router.GetResponseAsync("hello");
        ChatResponse hit = await router.GetResponseAsync("hello");

        Assert.Equal(1, provider.Calls);
        Assert.Equal((false, 0.0015m), (first.GetRouteInfo()!.IsCacheHit, first.GetRouteInfo()!.Cost));
        Assert.Equal((true, 0m), (hit.GetRouteInfo()!.IsCacheHit, hit.GetRouteInfo()!.Cost));
        Assert.False(first.AdditionalProperties!.ContainsKey("llmrouting.provider"));
        Assert.False(hit.AdditionalProperties!.ContainsKey("llmrouting.provider"));
    }

    private sealed class PassThrough(IChatClient inner) : DelegatingChatClient(inner);
}
