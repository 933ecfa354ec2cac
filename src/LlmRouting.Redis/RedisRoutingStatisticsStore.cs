using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using LlmRouting.Statistics;

namespace LlmRouting;

/// <summary>An <see cref="IRoutingStatisticsStore"/> shared by every app instance through Redis: count, sum and sum of squares per key, updated atomically.</summary>
/// <remarks>
/// One Lua script adds an observation (<c>HINCRBY</c> count, <c>HINCRBYFLOAT</c> sum and sum of squares) so concurrent
/// updates from many instances never interleave. During a Redis outage observations are kept locally and replayed when
/// Redis is back; reads return the last totals seen plus local observations (<see cref="RedisOutageBehavior.FailOpen"/>)
/// or throw <see cref="RedisStateUnavailableException"/> (<see cref="RedisOutageBehavior.FailClosed"/>).
/// Keys written with a time-to-live (per-session state: conversation affinity, session counters) expire in Redis that
/// long after their last write; written during an outage they are not replayed (a replay could not keep the expiry, and
/// the instance keeps its own record of the session). The last totals kept for outages are bounded to
/// <see cref="MaxRememberedKeys"/> keys.
/// </remarks>
public sealed class RedisRoutingStatisticsStore : IRoutingStatisticsStore, IDisposable
{
    private const string StoreName = "statistics store";

    private const string AddScript = """
        redis.call('HINCRBY', KEYS[1], 'c', ARGV[1])
        redis.call('HINCRBYFLOAT', KEYS[1], 's', ARGV[2])
        redis.call('HINCRBYFLOAT', KEYS[1], 'q', ARGV[3])
        return 1
        """;

    private const string AddExpiringScript = """
        redis.call('HINCRBY', KEYS[1], 'c', ARGV[1])
        redis.call('HINCRBYFLOAT', KEYS[1], 's', ARGV[2])
        redis.call('HINCRBYFLOAT', KEYS[1], 'q', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    /// <summary>The most keys whose last totals are kept for reads during an outage; past it the memory starts again.</summary>
    public const int MaxRememberedKeys = 10_000;

    private static readonly RedisValue[] Fields = ["c", "s", "q"];

    private readonly IConnectionMultiplexer _redis;
    private readonly LlmRoutingRedisOptions _options;
    private readonly RedisOutageTracker _outage;
    private readonly RedisWriteBehind<RoutingStatistic> _pending;
    private readonly ConcurrentDictionary<string, RoutingStatistic> _lastKnown = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="RedisRoutingStatisticsStore"/> class.</summary>
    /// <param name="redis">The Redis connection.</param>
    /// <param name="options">The settings (key prefix, outage behaviour).</param>
    /// <param name="logger">The logger.</param>
    public RedisRoutingStatisticsStore(IConnectionMultiplexer redis, LlmRoutingRedisOptions options, ILogger<RedisRoutingStatisticsStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options;
        _outage = new RedisOutageTracker(StoreName, options.OutageBehavior, (ILogger?)logger ?? NullLogger.Instance);
        _pending = new RedisWriteBehind<RoutingStatistic>(Sum, _outage);
    }

    /// <inheritdoc/>
    public async ValueTask RecordAsync(string key, double value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Observations must be finite numbers.");
        }

        var delta = new RoutingStatistic(1, value, value * value);
        await ReplayAsync().ConfigureAwait(false);
        try
        {
            await AddAsync(key, delta).ConfigureAwait(false);
            _outage.Succeeded();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            _outage.Failed(ex);
            _pending.Keep(key, delta);
        }
    }

    /// <inheritdoc/>
    public async ValueTask RecordAsync(string key, double value, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Observations must be finite numbers.");
        }

        if (timeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "The time-to-live must be positive.");
        }

        await ReplayAsync().ConfigureAwait(false);
        try
        {
            await _redis.GetDatabase().ScriptEvaluateAsync(
                AddExpiringScript,
                [RedisKey(key)],
                [1, value.ToString("R", CultureInfo.InvariantCulture), (value * value).ToString("R", CultureInfo.InvariantCulture), (long)Math.Ceiling(timeToLive.TotalMilliseconds)]).ConfigureAwait(false);
            _outage.Succeeded();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            _outage.Failed(ex); // not kept for replay: see the remarks
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyDictionary<string, RoutingStatistic>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await ReplayAsync().ConfigureAwait(false);
        var result = new Dictionary<string, RoutingStatistic>(keys.Count, StringComparer.Ordinal);
        try
        {
            IDatabase db = _redis.GetDatabase();
            string[] keyList = [.. keys];
            Task<RedisValue[]>[] reads = [.. keyList.Select(k => db.HashGetAsync(RedisKey(k), Fields))];
            await Task.WhenAll(reads).ConfigureAwait(false);
            for (int i = 0; i < keyList.Length; i++)
            {
                RedisValue[] values = reads[i].Result;
                var total = new RoutingStatistic(
                    values[0].IsNull ? 0 : (long)values[0],
                    values[1].IsNull ? 0 : double.Parse((string)values[1]!, CultureInfo.InvariantCulture),
                    values[2].IsNull ? 0 : double.Parse((string)values[2]!, CultureInfo.InvariantCulture));
                Remember(keyList[i], total);
                result[keyList[i]] = Sum(total, Pending(keyList[i]));
            }

            _outage.Succeeded();
            return result;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex, cancellationToken))
        {
            _outage.Failed(ex);
            if (_options.OutageBehavior == RedisOutageBehavior.FailClosed)
            {
                throw new RedisStateUnavailableException("Redis is unavailable and LlmRouting:Redis:OutageBehavior is FailClosed: shared routing statistics cannot be read.", ex);
            }

            foreach (string key in keys)
            {
                result[key] = Sum(_lastKnown.GetValueOrDefault(key), Pending(key));
            }

            return result;
        }
    }

    /// <summary>Replays locally kept observations to Redis now (it also happens before every operation).</summary>
    /// <returns>The number of keys replayed.</returns>
    public ValueTask<int> ReplayAsync() => _pending.ReplayAsync(AddAsync);

    /// <inheritdoc/>
    public void Dispose() => _pending.Dispose();

    private void Remember(string key, RoutingStatistic total)
    {
        if (_lastKnown.Count >= MaxRememberedKeys && !_lastKnown.ContainsKey(key))
        {
            _lastKnown.Clear(); // bounded: the keys read often are remembered again at their next read
        }

        _lastKnown[key] = total;
    }

    private RoutingStatistic Pending(string key) => _pending.TryGet(key, out RoutingStatistic pending) ? pending : default;

    private static RoutingStatistic Sum(RoutingStatistic a, RoutingStatistic b) => new(a.Count + b.Count, a.Sum + b.Sum, a.SumOfSquares + b.SumOfSquares);

    private Task<RedisResult> AddAsync(string key, RoutingStatistic delta) =>
        _redis.GetDatabase().ScriptEvaluateAsync(
            AddScript,
            [RedisKey(key)],
            [delta.Count, delta.Sum.ToString("R", CultureInfo.InvariantCulture), delta.SumOfSquares.ToString("R", CultureInfo.InvariantCulture)]);

    private RedisKey RedisKey(string key) => _options.KeyPrefix + "stats:" + key;
}
