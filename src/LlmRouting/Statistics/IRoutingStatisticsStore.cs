namespace LlmRouting.Statistics;

/// <summary>Stores learned routing statistics (outcome rewards per context and target, …); in memory by default, Redis for many app instances.</summary>
/// <remarks>Keys are built by the strategy that owns them, e.g. <c>bandit:code:high:premium</c>. Implementations must be thread-safe and update atomically.</remarks>
public interface IRoutingStatisticsStore
{
    /// <summary>Atomically adds one observation under <paramref name="key"/>.</summary>
    /// <param name="key">The statistic key.</param>
    /// <param name="value">The observed value.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the observation is stored.</returns>
    ValueTask RecordAsync(string key, double value, CancellationToken cancellationToken = default);

    /// <summary>Atomically adds one observation under <paramref name="key"/>, and lets the store forget the key <paramref name="timeToLive"/> after this write.</summary>
    /// <param name="key">The statistic key.</param>
    /// <param name="value">The observed value.</param>
    /// <param name="timeToLive">How long the key is kept after its last write (per-session state such as conversation affinity).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the observation is stored.</returns>
    /// <remarks>The default implementation calls <see cref="RecordAsync(string, double, CancellationToken)"/>: a store that cannot expire keys keeps them. The Redis store expires them.</remarks>
    ValueTask RecordAsync(string key, double value, TimeSpan timeToLive, CancellationToken cancellationToken = default) => RecordAsync(key, value, cancellationToken);

    /// <summary>Gets the totals for each of <paramref name="keys"/> (zero totals for unknown keys).</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The totals, by key.</returns>
    ValueTask<IReadOnlyDictionary<string, RoutingStatistic>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);
}
