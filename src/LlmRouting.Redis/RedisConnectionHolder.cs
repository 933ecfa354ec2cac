using StackExchange.Redis;

namespace LlmRouting;

/// <summary>LlmRouting's own Redis connection (so an app's other Redis registrations are left alone), created on first use.</summary>
internal sealed class RedisConnectionHolder : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _connection;

    public RedisConnectionHolder(LlmRoutingRedisOptions options)
    {
        ConfigurationOptions configuration = ConfigurationOptions.Parse(options.ConnectionString!);
        int timeout = (int)options.OperationTimeout.TotalMilliseconds;

        // Never block start-up on Redis, fail commands at once while disconnected (no backlog), reconnect quickly.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = Math.Max(timeout, 1000);
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        _connection = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IConnectionMultiplexer Connection => _connection.Value;

    public void Dispose()
    {
        if (_connection.IsValueCreated)
        {
            _connection.Value.Dispose();
        }
    }
}
