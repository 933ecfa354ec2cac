using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting;

/// <summary>An <see cref="IBudgetStore"/> shared by every app instance through Redis: exact, atomic per-key spend with expiry.</summary>
/// <remarks>
/// <para>
/// Amounts are stored as integer nano-units (1e-9 of a currency unit) and added with one Lua script
/// (<c>INCRBY</c> then <c>PEXPIREAT</c>), so concurrent increments from any number of instances are atomic and decimal
/// totals stay exact. Amounts finer than 1e-9 are rounded to the nearest nano-unit (to even).
/// </para>
/// <para>
/// During a Redis outage, spend is never lost: it is kept locally and replayed (added) to Redis once it is reachable
/// again. Reads then return the last total seen plus local spend (<see cref="RedisOutageBehavior.FailOpen"/>) or throw
/// <see cref="RedisStateUnavailableException"/> (<see cref="RedisOutageBehavior.FailClosed"/>). A command that timed out
/// after Redis applied it may be counted twice on replay (at-least-once); connection failures are detected before sending.
/// </para>
/// </remarks>
public sealed class RedisBudgetStore : IBudgetStore, IDisposable
{
    private const decimal NanosPerUnit = 1_000_000_000m;
    private const string StoreName = "budget store";

    private const string AddScript = """
        local total = redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        return total
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly LlmRoutingRedisOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RedisOutageTracker _outage;
    private readonly RedisWriteBehind<PendingSpend> _pending;
    private readonly ConcurrentDictionary<string, long> _lastKnown = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="RedisBudgetStore"/> class.</summary>
    /// <param name="redis">The Redis connection.</param>
    /// <param name="options">The settings (key prefix, outage behaviour).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock (to skip replaying windows that have ended); the default is <see cref="TimeProvider.System"/>.</param>
    public RedisBudgetStore(IConnectionMultiplexer redis, LlmRoutingRedisOptions options, ILogger<RedisBudgetStore>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _outage = new RedisOutageTracker(StoreName, options.OutageBehavior, (ILogger?)logger ?? NullLogger.Instance);
        _pending = new RedisWriteBehind<PendingSpend>(static (old, s) => new PendingSpend(old.Nanos + s.Nanos, old.ExpiresAt > s.ExpiresAt ? old.ExpiresAt : s.ExpiresAt), _outage);
    }

    /// <summary>Gets the number of keys whose spend is kept locally, waiting to be replayed to Redis.</summary>
    public int PendingKeys => _pending.Count;

    /// <inheritdoc/>
    public async ValueTask<decimal> GetSpentAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await ReplayAsync().ConfigureAwait(false);
        try
        {
            RedisValue value = await _redis.GetDatabase().StringGetAsync(RedisKey(key)).ConfigureAwait(false);
            long nanos = value.IsNull ? 0 : (long)value;
            _lastKnown[key] = nanos;
            _outage.Succeeded();
            return ToAmount(nanos + PendingNanos(key));
        }
        catch (Exception ex) when (RedisOutageTracker.IsOutage(ex))
        {
            _outage.Failed(ex);
            if (_options.OutageBehavior == RedisOutageBehavior.FailClosed)
            {
                throw new RedisStateUnavailableException("Redis is unavailable and LlmRouting:Redis:OutageBehavior is FailClosed: the shared budget cannot be read.", ex);
            }

            return ToAmount(_lastKnown.GetValueOrDefault(key) + PendingNanos(key));
        }
    }

    /// <inheritdoc/>
    public async ValueTask<decimal> AddSpendAsync(string key, decimal amount, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        long nanos = ToNanos(amount);
        await ReplayAsync().ConfigureAwait(false);
        try
        {
            long total = await AddAsync(key, nanos, expiresAt).ConfigureAwait(false);
            _lastKnown[key] = total;
            _outage.Succeeded();
            return ToAmount(total + PendingNanos(key));
        }
        catch (Exception ex) when (RedisOutageTracker.IsOutage(ex))
        {
            // The money is spent either way: keep it, replay it later; never throw here, even when failing closed.
            _outage.Failed(ex);
            _pending.Keep(key, new PendingSpend(nanos, expiresAt));
            return ToAmount(_lastKnown.GetValueOrDefault(key) + PendingNanos(key));
        }
    }

    /// <summary>Replays locally kept spend to Redis now (it also happens before every operation).</summary>
    /// <returns>The number of keys replayed.</returns>
    public ValueTask<int> ReplayAsync()
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        return _pending.ReplayAsync(
            async (key, spend) => _lastKnown[key] = await AddAsync(key, spend.Nanos, spend.ExpiresAt).ConfigureAwait(false),
            spend => spend.ExpiresAt <= now);
    }

    /// <inheritdoc/>
    public void Dispose() => _pending.Dispose();

    internal static long ToNanos(decimal amount) => checked((long)decimal.Round(amount * NanosPerUnit, 0, MidpointRounding.ToEven));

    internal static decimal ToAmount(long nanos) => nanos / NanosPerUnit;

    private async Task<long> AddAsync(string key, long nanos, DateTimeOffset expiresAt)
    {
        RedisResult result = await _redis.GetDatabase().ScriptEvaluateAsync(
            AddScript, [RedisKey(key)], [nanos, expiresAt.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
        return (long)result;
    }

    private long PendingNanos(string key) => _pending.TryGet(key, out PendingSpend? spend) ? spend!.Nanos : 0;

    private RedisKey RedisKey(string key) => _options.KeyPrefix + "budget:" + key;

    private sealed record PendingSpend(long Nanos, DateTimeOffset ExpiresAt);
}
