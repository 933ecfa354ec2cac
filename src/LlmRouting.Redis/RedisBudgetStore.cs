using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using LlmRouting.Accounting;
using LlmRouting.Analysis;
using LlmRouting.Costs;

namespace LlmRouting;

/// <summary>An <see cref="IBudgetStore"/> shared by every app instance through Redis: atomic reservations and exact spend, idempotent by reservation id.</summary>
/// <remarks>
/// <para>
/// Each budget window is a hash <c>&lt;prefix&gt;budget:{key}</c> holding <c>spent</c> and <c>held</c> in integer
/// nano-units (1e-9 of a currency unit; finer amounts are rounded to even) and one <c>r:&lt;id&gt;</c> field per hold,
/// with two sorted sets beside it: <c>…:holds</c> (hold expiry) and <c>…:done</c> (ids settled or released, kept for
/// <see cref="CompletedRetention"/>). Every operation is one Lua script, so a reservation's limit check and hold are
/// atomic across instances, and settling or releasing an id twice — or replaying a reservation that was already
/// applied — changes nothing. The three keys share a hash tag, so the scripts also run on Redis Cluster.
/// </para>
/// <para>
/// Any StackExchange.Redis failure (connection, timeout, <c>LOADING</c>, a closing multiplexer, an unrequested
/// cancellation) is an outage. Then settles and releases are never lost: they are journaled locally and replayed
/// before the next operation once Redis answers again (idempotently, so a command that did reach Redis is not counted
/// twice). Reads and reservations follow <see cref="LlmRoutingRedisOptions.OutageBehavior"/>:
/// <see cref="RedisOutageBehavior.FailOpen"/> decides on the last balance seen plus this instance's journaled changes
/// (a granted reservation is journaled and replayed too); <see cref="RedisOutageBehavior.FailClosed"/> throws
/// <see cref="RedisStateUnavailableException"/>, so no request is sent on a budget that cannot be checked.
/// </para>
/// </remarks>
public sealed partial class RedisBudgetStore : IBudgetStore, IDisposable
{
    private const decimal NanosPerUnit = 1_000_000_000m;
    private const string StoreName = "budget store";
    private const int MaxTrackedHolds = 10_000;

    private readonly IConnectionMultiplexer _redis;
    private readonly LlmRoutingRedisOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RedisOutageTracker _outage;
    private readonly ConcurrentDictionary<string, (long Spent, long Held)> _lastKnown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LocalHold> _holds = new(StringComparer.Ordinal);
    private readonly Lock _journalGate = new();
    private readonly Dictionary<string, Pending> _journal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Spent, long Held, int Count)> _journalByKey = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _replayGate = new(1, 1);
    private volatile int _journalCount;

    /// <summary>Initializes a new instance of the <see cref="RedisBudgetStore"/> class.</summary>
    /// <param name="redis">The Redis connection.</param>
    /// <param name="options">The settings (key prefix, outage behaviour).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock (reservation expiry, windows that have ended); the default is <see cref="TimeProvider.System"/>.</param>
    public RedisBudgetStore(IConnectionMultiplexer redis, LlmRoutingRedisOptions options, ILogger<RedisBudgetStore>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _outage = new RedisOutageTracker(StoreName, options.OutageBehavior, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>Gets how long ids settled or released are remembered in Redis, so that a replay within it is a no-op.</summary>
    /// <value>The default is <see cref="InMemoryBudgetStore.DefaultCompletedRetention"/> (one hour); it must be longer than the longest outage whose journal is replayed.</value>
    public TimeSpan CompletedRetention { get; init; } = InMemoryBudgetStore.DefaultCompletedRetention;

    /// <summary>Gets the number of budget keys with changes journaled locally, waiting to be replayed to Redis.</summary>
    public int PendingKeys
    {
        get
        {
            lock (_journalGate)
            {
                return _journalByKey.Count;
            }
        }
    }

    /// <summary>Gets the number of reservations, settles and releases journaled locally, waiting to be replayed to Redis.</summary>
    public int PendingOperations => _journalCount;

    /// <inheritdoc/>
    public async ValueTask<decimal> GetSpentAsync(string key, CancellationToken cancellationToken = default) =>
        (await GetBalanceAsync(key, cancellationToken).ConfigureAwait(false)).Spent;

    /// <inheritdoc/>
    public async ValueTask<BudgetBalance> GetBalanceAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await ReplayIfPendingAsync().ConfigureAwait(false);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        try
        {
            (_, long spent, long held) = await RunAsync(key, BalanceScript, [Ms(now), Ms(now - CompletedRetention)], cancellationToken).ConfigureAwait(false);
            return LocalView(key, spent, held);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            _outage.Failed(ex);
            ThrowIfFailClosed(ex, "the shared budget cannot be read");
            return LocalView(key);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<decimal> AddSpendAsync(string key, decimal amount, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        string id = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        await SettleAsync(key, id, amount, expiresAt, cancellationToken).ConfigureAwait(false);
        return LocalView(key).Spent;
    }

    /// <inheritdoc/>
    public async ValueTask<BudgetReservationResult> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        reservation.Validate();
        long nanos = ToNanos(reservation.Amount);
        long? limit = reservation.Limit is { } l ? ToNanos(l) : null;
        await ReplayIfPendingAsync().ConfigureAwait(false);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        try
        {
            (long status, long spent, long held) = await RunAsync(reservation.Key, ReserveScript, ReserveArguments(reservation, nanos, limit, now), cancellationToken).ConfigureAwait(false);
            var result = new BudgetReservationResult((BudgetReservationStatus)status, LocalView(reservation.Key, spent, held));
            if (result.Status == BudgetReservationStatus.Reserved && reservation.HoldUntil > now)
            {
                TrackHold(reservation, nanos, remote: true, now);
            }

            return result;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            _outage.Failed(ex);
            if (_options.OutageBehavior == RedisOutageBehavior.FailClosed)
            {
                // The script may have run before the failure surfaced (a timeout): make sure no hold lingers.
                Journal(Pending.Release(reservation.Key, reservation.Id, 0));
                ThrowIfFailClosed(ex, "the shared budget cannot be reserved");
            }

            return ReserveLocally(reservation, nanos, limit, now);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up while the script was in flight; it may still have been applied.
            Journal(Pending.Release(reservation.Key, reservation.Id, 0));
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> SettleAsync(string key, string reservationId, decimal actualCost, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCost);
        long nanos = ToNanos(actualCost);
        long remoteHold = _holds.TryRemove(reservationId, out LocalHold hold) && hold.Remote ? hold.Nanos : 0;
        return await EndAsync(Pending.Settle(key, reservationId, nanos, remoteHold, expiresAt), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ReleaseAsync(string key, string reservationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        long remoteHold = _holds.TryRemove(reservationId, out LocalHold hold) && hold.Remote ? hold.Nanos : 0;
        return await EndAsync(Pending.Release(key, reservationId, remoteHold), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays the locally journaled changes to Redis now (it also happens before every operation).</summary>
    /// <returns>The number of changes replayed (or dropped because their window or hold had ended).</returns>
    public async ValueTask<int> ReplayAsync()
    {
        if (_journalCount == 0 || !await _replayGate.WaitAsync(0).ConfigureAwait(false))
        {
            return 0;
        }

        int replayed = 0;
        try
        {
            // Probe with one change first, so that while Redis is still down a long journal is not copied per request.
            Pending? first;
            lock (_journalGate)
            {
                first = _journal.Values.FirstOrDefault();
            }

            if (first is not null && await ReplayOneAsync(first).ConfigureAwait(false))
            {
                replayed++;
                Pending[] rest;
                lock (_journalGate)
                {
                    rest = [.. _journal.Values];
                }

                foreach (Pending op in rest)
                {
                    if (!await ReplayOneAsync(op).ConfigureAwait(false))
                    {
                        break;
                    }

                    replayed++;
                }
            }
        }
        finally
        {
            _replayGate.Release();
        }

        _outage.Replayed(replayed);
        return replayed;
    }

    /// <inheritdoc/>
    public void Dispose() => _replayGate.Dispose();

    internal static long ToNanos(decimal amount) => checked((long)decimal.Round(amount * NanosPerUnit, 0, MidpointRounding.ToEven));

    internal static decimal ToAmount(long nanos) => nanos / NanosPerUnit;

    private static RedisValue Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static RedisValue Ms(TimeSpan span) => (long)Math.Ceiling(span.TotalMilliseconds);

    /// <summary>Replays one journaled change; <see langword="false"/> when Redis is still unavailable.</summary>
    private async Task<bool> ReplayOneAsync(Pending op)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (op.WindowEnd <= now || (op.Kind == PendingKind.Hold && op.HoldUntil <= now))
        {
            // The window has ended (nobody reads it again) or the hold would already have expired.
            Unjournal(op);
            return true;
        }

        try
        {
            await RunAsync(op.Key, op.Script, Arguments(op, now), CancellationToken.None).ConfigureAwait(false);
            Unjournal(op);
            return true;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, CancellationToken.None))
        {
            _outage.Failed(ex);
            return false;
        }
    }

    private ValueTask ReplayIfPendingAsync() => _journalCount == 0 ? ValueTask.CompletedTask : new(ReplayAsync().AsTask());

    private async ValueTask<bool> EndAsync(Pending op, CancellationToken cancellationToken)
    {
        await ReplayIfPendingAsync().ConfigureAwait(false);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        try
        {
            (long applied, _, _) = await RunAsync(op.Key, op.Script, Arguments(op, now), cancellationToken).ConfigureAwait(false);
            DropJournaledHold(op.Id);
            return applied == 1;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            // The money is spent either way: journal it and replay it later; never throw here, even when failing closed.
            _outage.Failed(ex);
            Journal(op);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Journal(op);
            throw;
        }
    }

    private BudgetReservationResult ReserveLocally(BudgetReservation reservation, long nanos, long? limit, DateTimeOffset now)
    {
        BudgetBalance view = LocalView(reservation.Key);
        if (_holds.TryGetValue(reservation.Id, out _))
        {
            return new BudgetReservationResult(BudgetReservationStatus.AlreadyReserved, view);
        }

        if (limit is { } max && ToNanos(view.Committed) + nanos > max)
        {
            Journal(Pending.Release(reservation.Key, reservation.Id, 0));
            return new BudgetReservationResult(BudgetReservationStatus.Refused, view);
        }

        if (reservation.HoldUntil > now)
        {
            TrackHold(reservation, nanos, remote: false, now);
            Journal(Pending.Hold(reservation, nanos));
        }

        return new BudgetReservationResult(BudgetReservationStatus.Reserved, LocalView(reservation.Key));
    }

    private void TrackHold(BudgetReservation reservation, long nanos, bool remote, DateTimeOffset now)
    {
        _holds[reservation.Id] = new LocalHold(reservation.Key, nanos, reservation.HoldUntil, remote);
        if (_holds.Count > MaxTrackedHolds)
        {
            // Holds never ended (streams never disposed) stop counting at their expiry; forget them here too.
            foreach (KeyValuePair<string, LocalHold> hold in _holds)
            {
                if (hold.Value.HoldUntil <= now)
                {
                    _holds.TryRemove(hold);
                }
            }
        }
    }

    private RedisValue[] ReserveArguments(BudgetReservation reservation, long nanos, long? limit, DateTimeOffset now) =>
    [
        Ms(now), Ms(now - CompletedRetention), reservation.Id, nanos, limit is { } l ? l : string.Empty,
        Ms(reservation.HoldUntil), Ms(reservation.HoldUntil > reservation.WindowEnd ? reservation.HoldUntil : reservation.WindowEnd),
    ];

    private RedisValue[] Arguments(Pending op, DateTimeOffset now) => op.Kind switch
    {
        // A replayed reservation is not checked against the limit again: its request was already sent.
        PendingKind.Hold => ReserveArguments(new BudgetReservation(op.Key, op.Id, ToAmount(op.Nanos), null, op.HoldUntil, op.WindowEnd), op.Nanos, null, now),
        PendingKind.Settle => [Ms(now), Ms(now - CompletedRetention), op.Id, op.Nanos, Ms(op.WindowEnd), Ms(CompletedRetention)],
        _ => [Ms(now), Ms(now - CompletedRetention), op.Id, Ms(CompletedRetention)],
    };

    private async Task<(long First, long Spent, long Held)> RunAsync(string key, string script, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        string hash = _options.KeyPrefix + "budget:{" + key + "}";
        Task<RedisResult> pending = _redis.GetDatabase().ScriptEvaluateAsync(script, [hash, hash + ":holds", hash + ":done"], arguments);
        RedisResult result = cancellationToken.CanBeCanceled ? await pending.WaitAsync(cancellationToken).ConfigureAwait(false) : await pending.ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        _outage.Succeeded();
        long spent = (long)parts[1];
        long held = (long)parts[2];
        _lastKnown[key] = (spent, held);
        return ((long)parts[0], spent, held);
    }

    private void ThrowIfFailClosed(Exception ex, string what)
    {
        if (_options.OutageBehavior == RedisOutageBehavior.FailClosed)
        {
            throw new RedisStateUnavailableException($"Redis is unavailable and LlmRouting:Redis:OutageBehavior is FailClosed: {what}.", ex);
        }
    }

    /// <summary>The balance Redis returned (or last returned) plus what this instance has journaled and not yet replayed.</summary>
    private BudgetBalance LocalView(string key, long? spent = null, long? held = null)
    {
        (long knownSpent, long knownHeld) = spent is { } s && held is { } h ? (s, h) : _lastKnown.GetValueOrDefault(key);
        long pendingSpent = 0;
        long pendingHeld = 0;
        if (_journalCount > 0)
        {
            lock (_journalGate)
            {
                if (_journalByKey.TryGetValue(key, out (long Spent, long Held, int Count) pending))
                {
                    (pendingSpent, pendingHeld) = (pending.Spent, pending.Held);
                }
            }
        }

        return new BudgetBalance(ToAmount(knownSpent + pendingSpent), ToAmount(Math.Max(knownHeld + pendingHeld, 0)));
    }
}
