using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Caching;

namespace LlmRouting;

/// <summary>Adds the exact response cache to every target of the router.</summary>
public static class ExactCacheLlmRouterBuilderExtensions
{
    /// <summary>
    /// Caches each target's answers exactly (<see cref="ExactCacheChatClient"/> around every target's client), on the
    /// registered <see cref="HybridCache"/> (one is added if none is), so a key always includes the routed target.
    /// </summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Changes the settings.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The cache sits after the routing decision: routing runs on every request (microseconds), candidate filters
    /// and budgets still apply, and a hit is recorded on <see cref="RouteInfo"/> like any other answer, at no cost.
    /// With <c>AddLlmRoutingRedis</c> the HybridCache uses Redis as its shared L2.
    /// </remarks>
    public static LlmRouterBuilder UseExactCache(this LlmRouterBuilder builder, Action<ExactCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ExactCacheOptions();
        configure?.Invoke(options);
        if (!builder.RegisterStage("UseExactCache"))
        {
            return builder;
        }

        builder.ValidateOnBuild(options, "ExactCache");
        builder.Services.AddHybridCache();
        builder.Services.TryAddSingleton(sp => new CacheMetrics(sp.GetService<IMeterFactory>()));
        return builder.DecorateTargets(d => new ExactCacheChatClient(
            d.Client, d.Services.GetRequiredService<HybridCache>(), d.TargetName, d.Profile, options, d.Services.GetRequiredService<CacheMetrics>()));
    }
}
