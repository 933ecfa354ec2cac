using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Accounting;

namespace LlmRouting;

/// <summary>Adds a cost ledger to the router.</summary>
public static class LedgerLlmRouterBuilderExtensions
{
    /// <summary>Records every completed request in an <see cref="IRoutingLedger"/> (an <see cref="InMemoryRoutingLedger"/> unless one is registered), resolvable from the container.</summary>
    /// <param name="builder">The router builder.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseLedger(this LlmRouterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IRoutingLedger, InMemoryRoutingLedger>();
        return builder.AddObserver<LedgerRouteObserver>();
    }

    /// <summary>Records every completed request in <paramref name="ledger"/>.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="ledger">The ledger; also registered as the container's <see cref="IRoutingLedger"/>.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseLedger(this LlmRouterBuilder builder, IRoutingLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(ledger);
        builder.Services.RemoveAll<IRoutingLedger>();
        builder.Services.AddSingleton(ledger);
        return builder.AddObserver<LedgerRouteObserver>();
    }
}
