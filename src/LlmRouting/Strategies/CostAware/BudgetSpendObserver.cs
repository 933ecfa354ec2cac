using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting;

/// <summary>Adds each request's cost to the budgets that apply to it, once the request has ended.</summary>
/// <remarks>Failed attempts that reported usage are billed too: the provider charged for them.</remarks>
internal sealed partial class BudgetSpendObserver : IRouteObserver
{
    private readonly IReadOnlyList<BudgetOptions> _budgets;
    private readonly IBudgetStore _store;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="BudgetSpendObserver"/> class.</summary>
    /// <param name="budgets">The budgets.</param>
    /// <param name="store">The store shared with the cost-aware strategy.</param>
    /// <param name="logger">The logger.</param>
    public BudgetSpendObserver(IEnumerable<BudgetOptions> budgets, IBudgetStore store, ILogger<BudgetSpendObserver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentNullException.ThrowIfNull(store);
        _budgets = [.. budgets];
        _store = store;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the instruments that record budget utilisation (set when telemetry is on).</summary>
    internal RoutingMetrics? Metrics { get; init; }

    /// <inheritdoc/>
    public void OnRouteCompleted(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Cost is not { } cost || cost <= 0)
        {
            return;
        }

        foreach (BudgetOptions budget in _budgets)
        {
            if (route.Request.Metadata(budget.ScopeKey) is not { Length: > 0 } scope)
            {
                continue;
            }

            ValueTask<decimal> pending = _store.AddSpendAsync(budget.KeyAt(scope, route.Timestamp), cost, budget.WindowAt(route.Timestamp).End);
            if (pending.IsCompletedSuccessfully)
            {
                Measure(budget, pending.Result);
                continue;
            }

            _ = ObserveAsync(pending, budget);
        }
    }

    private void Measure(BudgetOptions budget, decimal spent) =>
        Metrics?.RecordBudget((double)(spent / budget.Limit), budget.ScopeKey, budget.Period == BudgetPeriod.Day ? "day" : "month");

    private async Task ObserveAsync(ValueTask<decimal> pending, BudgetOptions budget)
    {
        try
        {
            Measure(budget, await pending.ConfigureAwait(false));
        }
#pragma warning disable CA1031 // A budget store outage must not fail requests that already succeeded; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSpendNotRecorded(_logger, ex, budget.ScopeKey);
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Could not record spend for a budget scoped by '{ScopeKey}'.")]
    private static partial void LogSpendNotRecorded(ILogger logger, Exception exception, string scopeKey);
}
