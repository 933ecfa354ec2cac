namespace LlmRouting.Costs;

/// <summary>How a store answered <see cref="IBudgetStore.ReserveAsync"/>.</summary>
public enum BudgetReservationStatus
{
    /// <summary>Refused: spent plus reserved plus the amount would exceed the limit. Nothing is held.</summary>
    Refused,

    /// <summary>Granted: the amount is now held.</summary>
    Reserved,

    /// <summary>Granted earlier under the same id (a replay): nothing more is held.</summary>
    AlreadyReserved,

    /// <summary>The id was already settled or released: nothing is held, and the request should not run under it.</summary>
    AlreadyCompleted,
}
