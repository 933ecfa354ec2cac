namespace LlmRouting.Costs;

/// <summary>A request's claim on a budget before it calls a model: its estimated cost, held until it is settled, released or expires.</summary>
/// <param name="Key">The budget key (scope and period window).</param>
/// <param name="Id">The reservation id, unique per attempt; every store operation is idempotent by it.</param>
/// <param name="Amount">The estimated cost to hold (not negative).</param>
/// <param name="Limit">The limit spent plus reserved plus <paramref name="Amount"/> must stay within, or <see langword="null"/> to always grant (the hold still counts).</param>
/// <param name="HoldUntil">When the hold stops counting if it was never settled or released (a crashed instance).</param>
/// <param name="WindowEnd">When the budget window ends; the store may forget the key after it.</param>
public readonly record struct BudgetReservation(string Key, string Id, decimal Amount, decimal? Limit, DateTimeOffset HoldUntil, DateTimeOffset WindowEnd)
{
    /// <summary>Throws if a field is missing or out of range.</summary>
    /// <exception cref="ArgumentException">A field is missing or out of range.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Key, "BudgetReservation.Key");
        ArgumentException.ThrowIfNullOrEmpty(Id, "BudgetReservation.Id");
        if (Amount < 0)
        {
            throw new ArgumentOutOfRangeException("BudgetReservation.Amount", Amount, "BudgetReservation.Amount must not be negative.");
        }

        if (Limit is < 0)
        {
            throw new ArgumentOutOfRangeException("BudgetReservation.Limit", Limit, "BudgetReservation.Limit must not be negative.");
        }
    }
}
