using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LlmRouting;

/// <summary>Classifies Redis failures as an outage and logs each transition into and out of one, once.</summary>
internal sealed class RedisOutageTracker
{
    private readonly string _store;
    private readonly RedisOutageBehavior _behavior;
    private readonly ILogger _logger;
    private int _degraded;

    public RedisOutageTracker(string store, RedisOutageBehavior behavior, ILogger logger)
    {
        _store = store;
        _behavior = behavior;
        _logger = logger;
    }

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    public void Failed(Exception exception)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            RedisLog.Unavailable(_logger, exception, _store, _behavior);
        }
    }

    public void Succeeded()
    {
        if (Volatile.Read(ref _degraded) == 1 && Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            RedisLog.Recovered(_logger, _store);
        }
    }

    public void Replayed(int count)
    {
        if (count > 0)
        {
            RedisLog.Replayed(_logger, count, _store);
        }
    }
}
