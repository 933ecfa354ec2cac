namespace LlmRouting.Redis.IntegrationTests;

/// <summary>The tests that share one redis-server (they run one after another: the outage test stops and restarts it).</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis-server";
}
