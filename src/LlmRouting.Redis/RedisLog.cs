using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <summary>Source-generated log messages of the Redis stores. None carries a key, prompt or amount.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Redis is unavailable for the {Store}; behaviour: {Behavior}. Changes are kept locally and replayed when it is back.")]
    public static partial void Unavailable(ILogger logger, Exception exception, string store, RedisOutageBehavior behavior);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Redis is reachable again for the {Store}.")]
    public static partial void Recovered(ILogger logger, string store);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Replayed {Count} locally kept change(s) of the {Store} to Redis.")]
    public static partial void Replayed(ILogger logger, int count, string store);
}
