using System.Collections.Concurrent;

namespace LlmRouting.Statistics;

/// <summary>The default <see cref="IRoutingStatisticsStore"/>: totals in process memory.</summary>
public sealed class InMemoryRoutingStatisticsStore : IRoutingStatisticsStore
{
    private readonly ConcurrentDictionary<string, StrongBox> _totals = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask RecordAsync(string key, double value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Observations must be finite numbers.");
        }

        StrongBox box = _totals.GetOrAdd(key, static _ => new StrongBox());
        lock (box)
        {
            box.Value = box.Value.Add(value);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyDictionary<string, RoutingStatistic>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<string, RoutingStatistic>(keys.Count, StringComparer.Ordinal);
        foreach (string key in keys)
        {
            RoutingStatistic value = default;
            if (_totals.TryGetValue(key, out StrongBox? box))
            {
                lock (box)
                {
                    value = box.Value;
                }
            }

            result[key] = value;
        }

        return new(result);
    }

    private sealed class StrongBox
    {
        public RoutingStatistic Value { get; set; }
    }
}
