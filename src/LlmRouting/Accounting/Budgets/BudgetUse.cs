using LlmRouting.Costs;
using LlmRouting.Strategies;

namespace LlmRouting.Accounting;

/// <summary>How much of one budget one scope has used in the current window.</summary>
/// <param name="ScopeKey">The metadata key that scopes the budget (e.g. <c>tenant</c>).</param>
/// <param name="Scope">The scope value (e.g. the tenant id).</param>
/// <param name="Period">The budget's period.</param>
/// <param name="Limit">The limit per scope and period.</param>
/// <param name="Balance">What is spent, and what requests in flight hold, in the window.</param>
/// <param name="WindowEnd">When the window ends and the budget starts again.</param>
public sealed record BudgetUse(string ScopeKey, string Scope, BudgetPeriod Period, decimal Limit, BudgetBalance Balance, DateTimeOffset WindowEnd)
{
    /// <summary>Gets the share of the limit committed (spent plus reserved); 1 or more means the limit is reached.</summary>
    public double Utilization => (double)(Balance.Committed / Limit);
}
