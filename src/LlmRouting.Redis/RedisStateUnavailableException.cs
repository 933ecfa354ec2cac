namespace LlmRouting;

/// <summary>Thrown by the Redis-backed stores during a Redis outage when <see cref="LlmRoutingRedisOptions.OutageBehavior"/> is <see cref="RedisOutageBehavior.FailClosed"/>.</summary>
public sealed class RedisStateUnavailableException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="RedisStateUnavailableException"/> class.</summary>
    public RedisStateUnavailableException()
        : base("Redis is unavailable and LlmRouting:Redis:OutageBehavior is FailClosed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RedisStateUnavailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    public RedisStateUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RedisStateUnavailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The Redis error.</param>
    public RedisStateUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
