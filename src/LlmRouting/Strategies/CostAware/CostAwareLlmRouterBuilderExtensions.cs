using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting;

/// <summary>Adds the cost-aware strategy (and its budgets) to a router.</summary>
public static class CostAwareLlmRouterBuilderExtensions
{
    /// <summary>Sends each request to the cheapest candidate good enough for it, within budgets.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the quality table, difficulty, premium threshold and budgets.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Budgets use the registered <see cref="IBudgetStore"/> (in memory by default; Redis shares them between instances).
    /// Every target's client is wrapped in <c>BudgetReservingChatClient</c>: each call reserves its estimated cost
    /// before it is sent (refused with <see cref="BudgetExceededException"/> when a refusing budget cannot cover it) and
    /// settles the actual cost after it.
    /// </remarks>
    public static LlmRouterBuilder UseCostAware(this LlmRouterBuilder builder, Action<CostAwareOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new CostAwareOptions();
        configure?.Invoke(options);
        builder.ValidateOnBuild(options, CostAwareStrategy.OptionsPath);

        builder.Services.TryAddSingleton<IBudgetStore>(sp => new InMemoryBudgetStore(sp.GetService<TimeProvider>()));
        if (options.Budgets.Count > 0)
        {
            // Every target call reserves its estimate before it is sent and settles the actual cost after it; the store
            // is resolved when the router is built, so a store registered later (e.g. Redis) is the one both sides use.
            BudgetReservations.Register(builder, _ => options);
        }

        return builder.UseStrategy(
            CostAwareStrategy.StrategyName,
            (sp, _) => new CostAwareStrategy(options, sp.GetRequiredService<IBudgetStore>(), sp.GetService<TimeProvider>()),
            "UseCostAware");
    }
}
