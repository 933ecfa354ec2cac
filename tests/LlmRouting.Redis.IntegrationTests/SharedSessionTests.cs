using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using LlmRouting.Agents;
using LlmRouting.Learning;
using LlmRouting.Statistics;

namespace LlmRouting.Redis.IntegrationTests;

/// <summary>Agent sessions shared by two router instances through a real redis-server: pins and counters, bounded by the session time-to-live.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedSessionTests : IDisposable
{
    private static readonly TimeSpan SessionTimeToLive = TimeSpan.FromMinutes(20);
    private readonly RedisServerFixture _redis;
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";
    private readonly List<IDisposable> _disposables = [];

    public SharedSessionTests(RedisServerFixture redis)
    {
        _redis = redis;
        _redis.Start();
    }

    public void Dispose()
    {
        foreach (IDisposable disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public async Task ExpiringRecords_GetTheirTimeToLive_AndPlainRecordsKeepNone()
    {
        IRoutingStatisticsStore store = Instance(out _, out _).GetRequiredService<IRoutingStatisticsStore>();

        await store.RecordAsync("session:x:steps", 1, TimeSpan.FromSeconds(90));
        await store.RecordAsync("session:x:steps", 1, TimeSpan.FromSeconds(90));
        await store.RecordAsync("bandit:code:premium", 1);

        IDatabase db = Connect().GetDatabase();
        Assert.Equal(2, (await store.GetAsync(["session:x:steps"]))["session:x:steps"].Count);
        Assert.InRange((await db.KeyTimeToLiveAsync(_prefix + "stats:session:x:steps"))!.Value, TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(90));
        Assert.Null(await db.KeyTimeToLiveAsync(_prefix + "stats:bandit:code:premium"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.RecordAsync("k", 1, TimeSpan.Zero));
    }

    [Fact]
    public async Task TwoInstances_ShareTheSessionsTargetAndCounters_AndEveryKeyExpires()
    {
        ServiceProvider a = Instance(out FakeProvider economyA, out FakeProvider premiumA);
        ServiceProvider b = Instance(out FakeProvider economyB, out FakeProvider premiumB);
        var options = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Session] = "user-7:chat-3" } };

        RouteInfo first = (await a.GetRequiredService<IChatClient>().GetResponseAsync("a hard question", options)).GetRouteInfo()!;
        await WaitForAsync("*session:*:steps", 1);
        RouteInfo second = (await b.GetRequiredService<IChatClient>().GetResponseAsync("an easy one, on the other instance", options)).GetRouteInfo()!;
        await WaitForAsync("*session:*:steps", 2);
        await b.GetRequiredService<IChatClient>().GetResponseAsync("three", options);
        await WaitForAsync("*session:*:steps", 3);
        var error = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => a.GetRequiredService<IChatClient>().GetResponseAsync("four", options));

        Assert.Equal("premium", first.Target);
        Assert.Equal("premium", second.Target);                       // instance B follows A's pin
        Assert.Equal("affinity", second.Strategy);
        Assert.Equal(0, economyA.Calls + economyB.Calls);
        Assert.Equal((1, 2), (premiumA.Calls, premiumB.Calls));
        Assert.Equal(LoopLimit.StepsPerSession, error.Evidence!.Limit);  // A counts B's steps too
        Assert.Equal(4, error.Evidence.Observed);

        RedisKey[] keys = Keys("*");
        Assert.Contains(keys, k => k.ToString().Contains("stats:affinity:", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.ToString().Contains("stats:session:", StringComparison.Ordinal));
        Assert.DoesNotContain(keys, k => k.ToString().Contains("user-7", StringComparison.Ordinal));  // a digest, never the id
        IDatabase db = Connect().GetDatabase();
        foreach (RedisKey key in keys)
        {
            TimeSpan? ttl = await db.KeyTimeToLiveAsync(key);
            Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= SessionTimeToLive, $"{key} expires in {ttl?.ToString() ?? "never"}");
        }
    }

    private ServiceProvider Instance(out FakeProvider economy, out FakeProvider premium)
    {
        economy = new FakeProvider("economy");
        premium = new FakeProvider("premium");
        var services = new ServiceCollection();
        FakeProvider e = economy, p = premium;
        services.AddLlmRouter(r => r
            .AddTarget("economy", e, t => t.Prices(input: 0.15m, output: 0.60m).Tier(QualityTier.Economy))
            .AddTarget("premium", p, t => t.Prices(input: 2.50m, output: 10m).Tier(QualityTier.Premium))
            .Default("economy")
            .UseRules(rules => rules.WhenContainsAny("hard").RouteTo("premium"))
            .UseAgentSessions(o => o.SessionTimeToLive = SessionTimeToLive)
            .UseConversationAffinity()
            .UseLoopDetection(o => o.MaxStepsPerSession = 3));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o => o.KeyPrefix = _prefix);
        ServiceProvider built = services.BuildServiceProvider();
        _disposables.Add(built);
        return built;
    }

    /// <summary>Sharing is written after the call returns (off the caller's path): waits until the session's step counter holds <paramref name="count"/>.</summary>
    private async Task WaitForAsync(string pattern, long count)
    {
        IDatabase db = Connect().GetDatabase();
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (RedisKey key in Keys(pattern))
            {
                if ((long?)await db.HashGetAsync(key, "c") >= count)
                {
                    return;
                }
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no key {pattern} reached {count} within 10 s");
    }

    private RedisKey[] Keys(string pattern)
    {
        ConnectionMultiplexer connection = Connect();
        return [.. connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: _prefix + pattern)];
    }

    private ConnectionMultiplexer Connect()
    {
        var connection = ConnectionMultiplexer.Connect(_redis.ConnectionString + ",allowAdmin=true");
        _disposables.Add(connection);
        return connection;
    }
}
