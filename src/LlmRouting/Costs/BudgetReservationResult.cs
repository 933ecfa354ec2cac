namespace LlmRouting.Costs;

/// <summary>The answer to a reservation: whether it was granted and the balance it was decided on.</summary>
/// <param name="Status">What the store did.</param>
/// <param name="Balance">Spent and reserved after the operation (the reservation included when it was granted).</param>
public readonly record struct BudgetReservationResult(BudgetReservationStatus Status, BudgetBalance Balance)
{
    /// <summary>Gets a value indicating whether the amount is held for this id.</summary>
    public bool IsGranted => Status is BudgetReservationStatus.Reserved or BudgetReservationStatus.AlreadyReserved;
}
