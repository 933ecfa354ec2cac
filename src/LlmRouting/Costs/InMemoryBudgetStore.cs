using System.Collections.Concurrent;

namespace LlmRouting.Costs;

/// <summary>The default <see cref="IBudgetStore"/>: exact decimal totals and reservations in process memory, expired by <see cref="TimeProvider"/>.</summary>
/// <remarks>
/// <para>
/// Each key's state (spent, reserved, the holds in flight, the ids recently settled or released) sits behind one lock,
/// so a reservation's limit check and hold are one atomic step. Ids settled or released are remembered for
/// <see cref="CompletedRetention"/>, which makes a repeated settle or release within that time a no-op. Holds stop
/// counting at their <see cref="BudgetReservation.HoldUntil"/>; a window's state is forgotten when it ends.
/// </para>
/// <para>State is per process; use the Redis store to share budgets between app instances.</para>
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    /// <summary>How long settled and released ids are remembered by default (repeats within it are no-ops).</summary>
    public static readonly TimeSpan DefaultCompletedRetention = TimeSpan.FromHours(1);

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _nextSweepTicks;

    /// <summary>Initializes a new instance of the <see cref="InMemoryBudgetStore"/> class.</summary>
    /// <param name="timeProvider">The time provider; the default is <see cref="TimeProvider.System"/>.</param>
    public InMemoryBudgetStore(TimeProvider? timeProvider = null)
        : this(timeProvider, DefaultCompletedRetention)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InMemoryBudgetStore"/> class.</summary>
    /// <param name="timeProvider">The time provider; the default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="completedRetention">How long settled and released ids are remembered (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completedRetention"/> is not positive.</exception>
    public InMemoryBudgetStore(TimeProvider? timeProvider, TimeSpan completedRetention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(completedRetention, TimeSpan.Zero);
        _timeProvider = timeProvider ?? TimeProvider.System;
        CompletedRetention = completedRetention;
    }

    /// <summary>Gets how long settled and released ids are remembered.</summary>
    public TimeSpan CompletedRetention { get; }

    /// <inheritdoc/>
    public ValueTask<decimal> GetSpentAsync(string key, CancellationToken cancellationToken = default) =>
        new(Balance(key).Spent);

    /// <inheritdoc/>
    public ValueTask<BudgetBalance> GetBalanceAsync(string key, CancellationToken cancellationToken = default) =>
        new(Balance(key));

    /// <inheritdoc/>
    public ValueTask<decimal> AddSpendAsync(string key, decimal amount, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        DateTimeOffset now = Now();
        if (expiresAt <= now)
        {
            // The window is over: nobody reads it again, and an entry for it would expire at once.
            return new(0m);
        }

        return new(Update(key, expiresAt, now, entry =>
        {
            entry.Spent += amount;
            return entry.Spent;
        }));
    }

    /// <inheritdoc/>
    public ValueTask<BudgetReservationResult> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        reservation.Validate();
        DateTimeOffset now = Now();
        if (reservation.WindowEnd <= now)
        {
            return new(new BudgetReservationResult(BudgetReservationStatus.Refused, default));
        }

        return new(Update(reservation.Key, reservation.WindowEnd, now, entry =>
        {
            if (entry.Completed.ContainsKey(reservation.Id))
            {
                return new BudgetReservationResult(BudgetReservationStatus.AlreadyCompleted, entry.Balance);
            }

            if (entry.Holds.ContainsKey(reservation.Id))
            {
                return new BudgetReservationResult(BudgetReservationStatus.AlreadyReserved, entry.Balance);
            }

            if (reservation.Limit is { } limit && entry.Spent + entry.Held + reservation.Amount > limit)
            {
                return new BudgetReservationResult(BudgetReservationStatus.Refused, entry.Balance);
            }

            if (reservation.HoldUntil > now)
            {
                entry.Hold(reservation.Id, reservation.Amount, reservation.HoldUntil);
            }

            return new BudgetReservationResult(BudgetReservationStatus.Reserved, entry.Balance);
        }));
    }

    /// <inheritdoc/>
    public ValueTask<bool> SettleAsync(string key, string reservationId, decimal actualCost, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        DateTimeOffset now = Now();
        if (expiresAt <= now)
        {
            // Spend for a window that has ended is not recorded; a hold in it ended with the window.
            return new(false);
        }

        return new(Update(key, expiresAt, now, entry =>
        {
            if (!entry.Complete(reservationId, now))
            {
                return false;
            }

            entry.Spent += actualCost;
            return true;
        }));
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReleaseAsync(string key, string reservationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        DateTimeOffset now = Now();
        if (!_entries.TryGetValue(key, out Entry? entry))
        {
            return new(false);
        }

        lock (entry)
        {
            if (entry.ExpiresAt <= now)
            {
                return new(false);
            }

            entry.Expire(now, CompletedRetention);
            return new(entry.Complete(reservationId, now));
        }
    }

    private DateTimeOffset Now()
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        long next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= next && Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, next) == next)
        {
            // Windows nobody touches again (last month's tenants) are dropped here rather than kept forever.
            foreach (KeyValuePair<string, Entry> pair in _entries)
            {
                if (pair.Value.ExpiresAt <= now)
                {
                    _entries.TryRemove(pair);
                }
            }
        }

        return now;
    }

    private BudgetBalance Balance(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = Now();
        if (_entries.TryGetValue(key, out Entry? entry))
        {
            lock (entry)
            {
                if (entry.ExpiresAt > now)
                {
                    entry.Expire(now, CompletedRetention);
                    return entry.Balance;
                }
            }

            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }

        return default;
    }

    private T Update<T>(string key, DateTimeOffset expiresAt, DateTimeOffset now, Func<Entry, T> change)
    {
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

                entry.Expire(now, CompletedRetention);
                return change(entry);
            }
        }
    }

    /// <summary>One key's state; every member is used under a lock on the entry.</summary>
    private sealed class Entry(DateTimeOffset expiresAt)
    {
        private readonly Queue<(string Id, DateTimeOffset At)> _completedOrder = new();
        private DateTimeOffset _nextHoldExpiry = DateTimeOffset.MaxValue;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public decimal Spent { get; set; }

        public decimal Held { get; private set; }

        public Dictionary<string, (decimal Amount, DateTimeOffset Until)> Holds { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, DateTimeOffset> Completed { get; } = new(StringComparer.Ordinal);

        public BudgetBalance Balance => new(Spent, Held);

        public void Hold(string id, decimal amount, DateTimeOffset until)
        {
            Holds[id] = (amount, until);
            Held += amount;
            if (until < _nextHoldExpiry)
            {
                _nextHoldExpiry = until;
            }
        }

        /// <summary>Marks <paramref name="id"/> settled or released and drops its hold; <see langword="false"/> if it already was.</summary>
        public bool Complete(string id, DateTimeOffset now)
        {
            if (!Completed.TryAdd(id, now))
            {
                return false;
            }

            _completedOrder.Enqueue((id, now));
            if (Holds.Remove(id, out (decimal Amount, DateTimeOffset Until) hold))
            {
                Held -= hold.Amount;
            }

            return true;
        }

        /// <summary>Drops holds past their time and completed ids past the retention.</summary>
        public void Expire(DateTimeOffset now, TimeSpan retention)
        {
            if (now >= _nextHoldExpiry)
            {
                DateTimeOffset next = DateTimeOffset.MaxValue;
                foreach ((string id, (decimal amount, DateTimeOffset until)) in Holds)
                {
                    if (until <= now)
                    {
                        Holds.Remove(id);
                        Held -= amount;
                    }
                    else if (until < next)
                    {
                        next = until;
                    }
                }

                _nextHoldExpiry = next;
            }

            while (_completedOrder.TryPeek(out (string Id, DateTimeOffset At) oldest) && oldest.At + retention <= now)
            {
                _completedOrder.Dequeue();
                Completed.Remove(oldest.Id);
            }
        }
    }
}
