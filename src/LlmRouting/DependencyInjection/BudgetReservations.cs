using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using LlmRouting.Accounting;
using LlmRouting.Costs;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Wires budgets into a DI-built router: every target's client reserves before each call and settles after it.</summary>
internal static class BudgetReservations
{
    /// <summary>
    /// Registers the reserving target decorator (once, as the innermost decorator, so that each provider call — every
    /// retry, fallback and hedge — reserves on its own and cache hits never do) and the observer that adds decision costs.
    /// </summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="options">Resolves the cost-aware options holding the budgets; the last registration wins.</param>
    public static void Register(LlmRouterBuilder builder, Func<IServiceProvider, CostAwareOptions> options)
    {
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<IBudgetStore>(sp => new InMemoryBudgetStore(sp.GetService<TimeProvider>()));
        bool first = !services.Any(d => d.ServiceType == typeof(Source));
        services.AddSingleton(new Source(options));
        if (!first)
        {
            return;
        }

        // Decorators apply in order, the first innermost: this one goes first, next to the provider.
        builder.TargetDecorators.Insert(0, Decorate);
        builder.AddObserver(sp =>
            new BudgetSpendObserver(sp.GetRequiredService<Source>().Options(sp).Budgets, sp.GetRequiredService<IBudgetStore>(), sp.GetService<ILogger<BudgetSpendObserver>>())
            {
                Listeners = [.. sp.GetServices<IBudgetSpendListener>()],
                TargetsReserve = true,
            });
    }

    /// <summary>The budgets of the code's cost-aware set-up (<c>UseCostAware</c>, <c>UseHybridRouting</c>), none without one.</summary>
    public static IReadOnlyList<BudgetOptions> BudgetsOf(IServiceProvider services) =>
        services.GetService<Source>() is { } source ? [.. source.Options(services).Budgets] : [];

    private static IChatClient Decorate(TargetDecoration target)
    {
        IServiceProvider services = target.Services;
        CostAwareOptions options = services.GetRequiredService<Source>().Options(services);
        if (options.Budgets.Count == 0)
        {
            return target.Client;
        }

        return new BudgetReservingChatClient(
            target.Client, target.Profile, options, services.GetRequiredService<IBudgetStore>(), services.GetService<TimeProvider>(), services.GetService<ILogger<BudgetReservingChatClient>>());
    }

    /// <summary>Where the decorator finds the budgets (a type of its own, so that registering twice can be detected).</summary>
    private sealed class Source(Func<IServiceProvider, CostAwareOptions> options)
    {
        public Func<IServiceProvider, CostAwareOptions> Options { get; } = options;
    }
}
