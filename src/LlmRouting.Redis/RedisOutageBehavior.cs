namespace LlmRouting;

/// <summary>What the Redis-backed stores do while Redis cannot be reached.</summary>
public enum RedisOutageBehavior
{
    /// <summary>Keep serving from local state: reads return the last value seen plus this instance's unsynchronised changes, the cache misses; changes are replayed to Redis when it is back.</summary>
    FailOpen,

    /// <summary>Reads throw <see cref="RedisStateUnavailableException"/> so nothing is decided on stale shared state; changes already made (spend, observations) are still kept and replayed when Redis is back.</summary>
    FailClosed,
}
