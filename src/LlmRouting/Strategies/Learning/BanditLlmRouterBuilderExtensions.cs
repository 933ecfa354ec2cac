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
    /// <summary>The router's section the bandit reads (<see cref="BanditOptions.SectionName"/>).</summary>
    internal const string Section = "Bandit";

    /// <summary>Appends the <see cref="BanditStrategy"/> to the chain and turns on outcome feedback, which it learns from.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the cost weight, exploration rate, targets and randomness, over what <c>LlmRouting:Bandit</c> configures.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The settings are read from the router's <c>Bandit</c> section (<c>LlmRouting:Bandit</c>, strictly), then
    /// <paramref name="configure"/> applies; they are checked at start-up (and when the router is built), each failure
    /// naming its field, as for the configured <c>bandit</c> strategy: an out-of-range value, or a target in
    /// <see cref="BanditOptions.Targets"/> that is not configured. Reward totals go to the container's
    /// <see cref="IRoutingStatisticsStore"/> (an <see cref="InMemoryRoutingStatisticsStore"/> unless one is registered).
    /// Report outcomes through <c>RouteFeedback</c>, resolved from the container.
    /// </remarks>
    public static LlmRouterBuilder UseBandit(this LlmRouterBuilder builder, Action<BanditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        OptionsBuilder<BanditOptions> options = services.AddOptions<BanditOptions>();
        // Claimed, not re-checked by the router: binding the options (validated on start) reports its own failures.
        builder.ClaimedSections.Add(Section);
        options.Configure<IServiceProvider>((o, sp) => ConfigurationValues.Bind(builder.SectionOf(sp, Section), o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        OptionsValidation.AddValidation<BanditOptions>(services, BanditOptions.SectionName);
        services.TryAddSingleton<IRoutingStatisticsStore, InMemoryRoutingStatisticsStore>();
        services.TryAddSingleton(static sp => Create(sp, sp.GetRequiredService<IOptions<BanditOptions>>().Value, sp.GetRequiredService<IRoutingStatisticsStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteOutcomeListener, BanditStrategy>(static sp => sp.GetRequiredService<BanditStrategy>()));
        builder.UseOutcomeFeedback();

        // One instance for the container's lifetime: its state lives in the statistics store, so reloads keep it.
        return builder.UseStrategy(BanditStrategy.StrategyName, static (sp, routing) => RequireTargets(sp.GetRequiredService<BanditStrategy>(), routing), "UseBandit");
    }

    /// <summary>The bandit of <paramref name="options"/> (for <c>UseBandit</c> and the configured <c>bandit</c> alike), keeping rewards in <paramref name="store"/>, with the context selector outcome feedback uses.</summary>
    /// <exception cref="OptionsValidationException">An option is out of range (each failure names its field under <c>LlmRouting:Bandit</c>).</exception>
    internal static BanditStrategy Create(IServiceProvider services, BanditOptions options, IRoutingStatisticsStore store) =>
        new(store, services.GetService<IRouteContextSelector>(), options, services.GetService<ILogger<BanditStrategy>>());

    /// <summary>Checks that the targets <paramref name="strategy"/> chooses between are the router's (run at every build, so a reload that drops one is refused).</summary>
    /// <returns>The strategy.</returns>
    /// <exception cref="OptionsValidationException">A target is not configured (naming <c>LlmRouting:Bandit:Targets</c>).</exception>
    internal static BanditStrategy RequireTargets(BanditStrategy strategy, LlmRoutingOptions routing)
    {
        foreach (string target in strategy.Targets)
        {
            StrategyChain.RequireTarget(routing, target, $"{BanditOptions.SectionName}:Targets");
        }

        return strategy;
    }
}
