using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Strategies;
using LlmRouting.Statistics;

namespace LlmRouting;

/// <summary>Adds the learning (contextual bandit) strategy to the router.</summary>
public static class BanditLlmRouterBuilderExtensions
{
    /// <summary>Appends the <see cref="BanditStrategy"/> to the chain and turns on outcome feedback, which it learns from.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the cost weight, exploration rate, targets and randomness.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Reward totals go to the container's <see cref="IRoutingStatisticsStore"/> (an <see cref="InMemoryRoutingStatisticsStore"/>
    /// unless one is registered). Report outcomes through <c>RouteFeedback</c>, resolved from the container.
    /// </remarks>
    public static LlmRouterBuilder UseBandit(this LlmRouterBuilder builder, Action<BanditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        OptionsValidation.AddValidation<BanditOptions>(services, BanditStrategy.OptionsPath);
        services.TryAddSingleton<IRoutingStatisticsStore, InMemoryRoutingStatisticsStore>();
        services.TryAddSingleton<IRouteContextSelector>(DefaultRouteContextSelector.Instance);
        services.TryAddSingleton(sp => new BanditStrategy(
            sp.GetRequiredService<IRoutingStatisticsStore>(),
            sp.GetRequiredService<IRouteContextSelector>(),
            sp.GetService<IOptions<BanditOptions>>()?.Value,
            sp.GetService<ILogger<BanditStrategy>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteOutcomeListener, BanditStrategy>(static sp => sp.GetRequiredService<BanditStrategy>()));
        builder.UseOutcomeFeedback();

        // One instance for the container's lifetime: its state lives in the statistics store, so reloads keep it.
        return builder.UseStrategy(BanditStrategy.StrategyName, static (sp, _) => sp.GetRequiredService<BanditStrategy>(), "UseBandit");
    }
}
