namespace LlmRouting.Costs;

/// <summary>Stores money spent and reserved per budget key and period, atomically; in memory by default, Redis for many app instances.</summary>
/// <remarks>
/// <para>
/// A key names one scope and one period window, e.g. <c>tenant:acme:day:2026-11-24</c>; the caller builds it
/// and passes when the window ends, so the store can expire it. Amounts are <see cref="decimal"/>; stores
/// must not lose precision below 1e-9 of a currency unit. Implementations must be thread-safe.
/// </para>
/// <para>
/// Requests <em>reserve</em> their estimated cost before they call a model (<see cref="ReserveAsync"/>), which checks
/// the limit and holds the amount in one atomic step, and <em>settle</em> the reservation with the actual cost after
/// (<see cref="SettleAsync"/>) or <em>release</em> it when nothing was spent (<see cref="ReleaseAsync"/>). Every
/// operation is idempotent by reservation id: reserving, settling or releasing an id twice changes nothing the second
/// time, so replays after an outage or a restart never count twice. A reservation that is neither settled nor released
/// (its instance crashed) stops holding budget at <see cref="BudgetReservation.HoldUntil"/>.
/// </para>
/// </remarks>
public interface IBudgetStore
{
    /// <summary>Gets the amount spent (settled) under <paramref name="key"/> so far.</summary>
    /// <param name="key">The budget key (scope and period window).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The amount spent, 0 when nothing was recorded or the window expired.</returns>
    ValueTask<decimal> GetSpentAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Gets what is spent and what is reserved by requests in flight under <paramref name="key"/>.</summary>
    /// <param name="key">The budget key (scope and period window).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The balance; expired reservations are not counted.</returns>
    ValueTask<BudgetBalance> GetBalanceAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Atomically adds <paramref name="amount"/> to the spend under <paramref name="key"/>, without a reservation (e.g. a judge's cost).</summary>
    /// <param name="key">The budget key (scope and period window).</param>
    /// <param name="amount">The amount to add (not negative).</param>
    /// <param name="expiresAt">When the window ends; the store may forget the key after it.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The new total spent.</returns>
    ValueTask<decimal> AddSpendAsync(string key, decimal amount, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Reserves <see cref="BudgetReservation.Amount"/> if spent plus reserved plus the amount stays within <see cref="BudgetReservation.Limit"/>, in one atomic step.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether it was granted, and the balance it was decided on.</returns>
    ValueTask<BudgetReservationResult> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default);

    /// <summary>Ends a reservation with what the request actually cost: the hold is removed and <paramref name="actualCost"/> is added to the spend.</summary>
    /// <param name="key">The budget key the reservation was made under.</param>
    /// <param name="reservationId">The reservation id.</param>
    /// <param name="actualCost">The actual cost (not negative); it is added even when the reservation has expired or is unknown.</param>
    /// <param name="expiresAt">When the window ends.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> if this call settled it; <see langword="false"/> if the id was already settled or released (nothing changed).</returns>
    ValueTask<bool> SettleAsync(string key, string reservationId, decimal actualCost, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Ends a reservation without spending: the hold is removed.</summary>
    /// <param name="key">The budget key the reservation was made under.</param>
    /// <param name="reservationId">The reservation id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> if this call released it; <see langword="false"/> if the id was already settled or released.</returns>
    ValueTask<bool> ReleaseAsync(string key, string reservationId, CancellationToken cancellationToken = default);
}
