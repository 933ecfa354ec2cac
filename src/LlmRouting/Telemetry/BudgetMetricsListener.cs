using LlmRouting.Strategies;

namespace LlmRouting.Telemetry;

/// <summary>Records budget utilisation (spend over the limit) on <see cref="RoutingMetrics.BudgetUtilization"/>.</summary>
internal sealed class BudgetMetricsListener : IBudgetSpendListener
{
    private readonly RoutingMetrics _metrics;

    public BudgetMetricsListener(RoutingMetrics metrics)
    {
        _metrics = metrics;
    }

    public bool IsEnabled => _metrics.BudgetUtilization.Enabled;

    public void OnSpent(BudgetOptions budget, decimal spent) =>
        _metrics.RecordBudget((double)(spent / budget.Limit), budget.ScopeKey, budget.Period == BudgetPeriod.Day ? "day" : "month");
}
