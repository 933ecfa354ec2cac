using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Costs;

namespace LlmRouting.Strategies;

/// <summary>Adds each request's cost to the budgets that apply to it, once the request has ended.</summary>
/// <remarks>
/// <para>
/// Adds <see cref="RouteInfo.Cost"/> (failed attempts that reported usage are billed too: the provider charged for them)
/// and <see cref="RouteInfo.DecisionCost"/> (an LLM-as-judge call). This is after-the-fact accounting with no
/// reservation: use it for routers composed by hand, whose targets are not wrapped in <c>BudgetReservingChatClient</c>.
/// </para>
/// <para>
/// <c>UseCostAware</c> and <c>UseHybridRouting</c> wrap every target in <c>BudgetReservingChatClient</c>, which
/// reserves before each call and settles after it; the observer they register then adds only the decision cost.
/// </para>
/// </remarks>
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

    /// <summary>Gets the budgets charged.</summary>
    internal IReadOnlyList<BudgetOptions> Budgets => _budgets;

    /// <summary>Gets who is told each budget's spend (budget utilisation metrics, when telemetry is on).</summary>
    internal IReadOnlyList<IBudgetSpendListener> Listeners { get; init; } = [];

    /// <summary>Gets a value indicating whether the targets reserve and settle their own cost (<c>BudgetReservingChatClient</c>), so only the decision cost is added here.</summary>
    internal bool TargetsReserve { get; init; }

    /// <inheritdoc/>
    public void OnRouteCompleted(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        decimal cost = (TargetsReserve ? 0m : route.Cost ?? 0m) + (route.DecisionCost ?? 0m);
        bool measure = Listening();
        if (cost <= 0 && !(TargetsReserve && measure))
        {
            return;
        }

        for (int b = 0; b < _budgets.Count; b++)
        {
            BudgetOptions budget = _budgets[b];
            if (route.Request.Metadata(budget.ScopeKey) is not { Length: > 0 } scope)
            {
                continue;
            }

            // With reserving targets the spend is already settled: only read the total, for the utilisation metric.
            string key = budget.KeyAt(scope, route.Timestamp);
            ValueTask<decimal> pending = cost > 0
                ? _store.AddSpendAsync(key, cost, budget.WindowAt(route.Timestamp).End)
                : _store.GetSpentAsync(key);
            if (pending.IsCompletedSuccessfully)
            {
                Measure(budget, pending.Result);
                continue;
            }

            _ = ObserveAsync(pending, budget);
        }
    }

    private bool Listening()
    {
        for (int l = 0; l < Listeners.Count; l++)
        {
            if (Listeners[l].IsEnabled)
            {
                return true;
            }
        }

        return false;
    }

    private void Measure(BudgetOptions budget, decimal spent)
    {
        for (int l = 0; l < Listeners.Count; l++)
        {
            Listeners[l].OnSpent(budget, spent);
        }
    }

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

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Could not record or read the spend of a budget scoped by '{ScopeKey}'.")]
    private static partial void LogSpendNotRecorded(ILogger logger, Exception exception, string scopeKey);
}
