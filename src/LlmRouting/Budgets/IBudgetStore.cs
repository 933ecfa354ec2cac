namespace LlmRouting;

/// <summary>Stores money spent per budget key and period, atomically; in memory by default, Redis for many app instances.</summary>
/// <remarks>
/// A key names one scope and one period window, e.g. <c>tenant:acme:day:2026-11-24</c>; the caller builds it
/// and passes when the window ends, so the store can expire it. Amounts are <see cref="decimal"/>; stores
/// must not lose precision below 1e-9 of a currency unit. Implementations must be thread-safe.
/// </remarks>
public interface IBudgetStore
{
    /// <summary>Gets the amount spent under <paramref name="key"/> so far.</summary>
    /// <param name="key">The budget key (scope and period window).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The amount spent, 0 when nothing was recorded or the window expired.</returns>
    ValueTask<decimal> GetSpentAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Atomically adds <paramref name="amount"/> to the spend under <paramref name="key"/>.</summary>
    /// <param name="key">The budget key (scope and period window).</param>
    /// <param name="amount">The amount to add (not negative).</param>
    /// <param name="expiresAt">When the window ends; the store may forget the key after it.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The new total.</returns>
    ValueTask<decimal> AddSpendAsync(string key, decimal amount, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
