using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>The default <see cref="IBudgetStore"/>: exact decimal totals in process memory, expired by <see cref="TimeProvider"/>.</summary>
/// <remarks>State is per process; use the Redis store to share budgets between app instances.</remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="InMemoryBudgetStore"/> class.</summary>
    /// <param name="timeProvider">The time provider; the default is <see cref="TimeProvider.System"/>.</param>
    public InMemoryBudgetStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public ValueTask<decimal> GetSpentAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (_entries.TryGetValue(key, out Entry? entry))
        {
            lock (entry)
            {
                if (entry.ExpiresAt > now)
                {
                    return new(entry.Spent);
                }
            }

            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }

        return new(0m);
    }

    /// <inheritdoc/>
    public ValueTask<decimal> AddSpendAsync(string key, decimal amount, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        while (true)
        {
            Entry entry = _entries.GetOrAdd(key, static (_, exp) => new Entry(exp), expiresAt);
            lock (entry)
            {
                if (entry.ExpiresAt <= now)
                {
                    // The window is over: start a fresh entry rather than add to a stale one.
                    _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                    continue;
                }

                entry.Spent += amount;
                return new(entry.Spent);
            }
        }
    }

    private sealed class Entry(DateTimeOffset expiresAt)
    {
        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public decimal Spent { get; set; }
    }
}
