namespace LlmRouting.Costs;

/// <summary>What a budget window holds: the settled spend and the reservations of requests in flight.</summary>
/// <param name="Spent">The settled spend.</param>
/// <param name="Reserved">The estimated cost held by reservations not yet settled, released or expired.</param>
public readonly record struct BudgetBalance(decimal Spent, decimal Reserved)
{
    /// <summary>Gets spent plus reserved: what the window has committed to.</summary>
    public decimal Committed => Spent + Reserved;
}
