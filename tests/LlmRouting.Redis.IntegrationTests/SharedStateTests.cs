using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using LlmRouting.Strategies;
using LlmRouting.Costs;
using LlmRouting.Statistics;

namespace LlmRouting.Redis.IntegrationTests;

[Collection(RedisCollection.Name)]
public sealed class SharedStateTests : IDisposable
{
    private readonly RedisServerFixture _redis;
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";
    private readonly List<ServiceProvider> _instances = [];
    private readonly List<IDisposable> _disposables = [];

    public SharedStateTests(RedisServerFixture redis)
    {
        _redis = redis;
        _redis.Start();
    }

    public void Dispose()
    {
        foreach (ServiceProvider instance in _instances)
        {
            instance.Dispose();
        }

        foreach (IDisposable connection in _disposables)
        {
            connection.Dispose();
        }

        _redis.Start();
    }

    [Fact]
    public async Task TwoInstances_ShareExactCacheEntries()
    {
        (IChatClient chatA, FakeProvider providerA, _) = Instance();
        (IChatClient chatB, FakeProvider providerB, _) = Instance();
        var options = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = "acme" } };

        ChatResponse first = await chatA.GetResponseAsync("What is the capital of France?", options);

        // HybridCache writes L2 right after handing the value to the caller: wait until the entry is in Redis.
        IServer server = Connect().GetServer(_redis.ConnectionString);
        var wait = Stopwatch.StartNew();
        while (!server.Keys(pattern: _prefix + "cache:*").Any() && wait.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        ChatResponse second = await chatB.GetResponseAsync("What is the capital of France?", options);
        ChatResponse otherTenant = await chatB.GetResponseAsync("What is the capital of France?", new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = "globex" } });

        Assert.Equal(1, providerA.Calls);
        Assert.Equal(1, providerB.Calls);
        Assert.Equal(first.Text, second.Text);
        Assert.False(first.GetRouteInfo()!.IsCacheHit);
        Assert.True(second.GetRouteInfo()!.IsCacheHit);
        Assert.False(otherTenant.GetRouteInfo()!.IsCacheHit);

        // The entry in Redis holds the answer but never the router's route info.
        RedisKey[] keys = [.. server.Keys(pattern: _prefix + "cache:*")];
        Assert.NotEmpty(keys);
        IDatabase db = Connect().GetDatabase();
        foreach (RedisKey key in keys)
        {
            if (await db.KeyTypeAsync(key) == RedisType.Hash)
            {
                Assert.DoesNotContain("llmrouting.route", (string?)await db.HashGetAsync(key, "data") ?? string.Empty, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task BudgetSpend_IsExact_Under1000ConcurrentIncrementsFromTwoInstances()
    {
        IBudgetStore storeA = Instance().Services.GetRequiredService<IBudgetStore>();
        IBudgetStore storeB = Instance().Services.GetRequiredService<IBudgetStore>();
        Assert.IsType<RedisBudgetStore>(storeA);
        Assert.NotSame(storeA, storeB);
        DateTimeOffset windowEnd = DateTimeOffset.UtcNow.AddHours(1);
        decimal expected = 0m;
        var amounts = new decimal[1000];
        for (int i = 0; i < amounts.Length; i++)
        {
            amounts[i] = ((i % 97) + 1) * 0.000012345m + (i % 3) * 0.000000001m;
            expected += amounts[i];
        }

        await Task.WhenAll(amounts.Select((amount, i) => Task.Run(async () =>
            await (i % 2 == 0 ? storeA : storeB).AddSpendAsync("tenant:acme:day", amount, windowEnd))));

        Assert.Equal(expected, await storeA.GetSpentAsync("tenant:acme:day"));
        Assert.Equal(expected, await storeB.GetSpentAsync("tenant:acme:day"));
        TimeSpan? ttl = await Connect().GetDatabase().KeyTimeToLiveAsync(_prefix + "budget:{tenant:acme:day}");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task RoutingStatistics_AreSharedAndAtomic()
    {
        IRoutingStatisticsStore storeA = Instance().Services.GetRequiredService<IRoutingStatisticsStore>();
        IRoutingStatisticsStore storeB = Instance().Services.GetRequiredService<IRoutingStatisticsStore>();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? storeA : storeB).RecordAsync("bandit:code:premium", i % 2 == 0 ? 1.0 : 0.5))));

        RoutingStatistic total = (await storeB.GetAsync(["bandit:code:premium", "unknown"]))["bandit:code:premium"];
        Assert.Equal(200, total.Count);
        Assert.Equal(150.0, total.Sum, 9);
        Assert.Equal(125.0, total.SumOfSquares, 9);
        Assert.Equal(default, (await storeA.GetAsync(["unknown"]))["unknown"]);
    }

    [Fact]
    public async Task RedisOutage_FailOpen_AnswersEveryRequest_AndReplaysSpendWhenBack()
    {
        (IChatClient chat, FakeProvider provider, ServiceProvider services) = Instance();
        var budget = services.GetRequiredService<RedisBudgetStore>();
        var statistics = services.GetRequiredService<RedisRoutingStatisticsStore>();
        DateTimeOffset windowEnd = DateTimeOffset.UtcNow.AddHours(1);
        await budget.AddSpendAsync("outage", 1.000000001m, windowEnd);
        await chat.GetResponseAsync("Warm question");

        _redis.Stop();
        var stopwatch = Stopwatch.StartNew();
        int answered = 0;
        for (int i = 0; i < 50; i++)
        {
            ChatResponse response = await chat.GetResponseAsync($"Question {i} during the outage");
            Assert.Equal($"premium: Question {i} during the outage", response.Text);
            answered++;
            Assert.Equal(1.000000001m + ((i + 1) * 0.25m), await budget.AddSpendAsync("outage", 0.25m, windowEnd));
            await statistics.RecordAsync("latency:premium", 2.0);
        }

        Assert.Equal(50, answered);
        Assert.Equal(51, provider.Calls);
        Assert.Equal(1.000000001m + 12.5m, await budget.GetSpentAsync("outage"));
        Assert.Equal(50, (await statistics.GetAsync(["latency:premium"]))["latency:premium"].Count);
        Assert.True(budget.PendingKeys > 0);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"The outage slowed requests down: {stopwatch.Elapsed}.");

        // Redis comes back empty (no persistence): exactly the spend made during the outage is replayed.
        _redis.Start();
        await WaitForReconnectAsync(budget);
        Assert.Equal(0, budget.PendingKeys);
        string? stored = await Connect().GetDatabase().HashGetAsync(_prefix + "budget:{outage}", "spent");
        Assert.Equal(12.5m, RedisBudgetStore.ToAmount(long.Parse(stored!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(50, (await statistics.GetAsync(["latency:premium"]))["latency:premium"].Count);
    }

    [Fact]
    public async Task RedisOutage_FailClosed_RefusesReads_ButKeepsSpend()
    {
        var budget = Instance(o => o.OutageBehavior = RedisOutageBehavior.FailClosed).Services.GetRequiredService<RedisBudgetStore>();
        DateTimeOffset windowEnd = DateTimeOffset.UtcNow.AddHours(1);
        await budget.AddSpendAsync("closed", 2m, windowEnd);

        _redis.Stop();
        RedisStateUnavailableException ex = await Assert.ThrowsAsync<RedisStateUnavailableException>(async () => await budget.GetSpentAsync("closed"));
        Assert.Contains("FailClosed", ex.Message, StringComparison.Ordinal);
        await budget.AddSpendAsync("closed", 0.5m, windowEnd);
        Assert.Equal(1, budget.PendingKeys);

        _redis.Start();
        await WaitForReconnectAsync(budget);
        Assert.Equal(0.5m, await budget.GetSpentAsync("closed"));
    }

    [Fact]
    public async Task TwoRouterInstances_ShareOneBudget_ThroughTheCostAwareStrategy()
    {
        Node a = BudgetedInstance();
        Node b = BudgetedInstance();

        // Each answer costs 100 × 2.50 + 50 × 10 per million = 0.00075. Each request reserves its estimate first (about 7
        // input tokens and MaxOutputTokens 50: 0.0005175), so the shared 0.01 daily budget admits 13 requests: after them
        // 0.00975 is spent, and the 14th estimate no longer fits.
        var acme = new ChatOptions { MaxOutputTokens = 50, AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = "acme" } };
        int served = 0;
        BudgetExceededException refused = await Assert.ThrowsAsync<BudgetExceededException>(async () =>
        {
            while (served < 100)
            {
                Node node = served % 2 == 0 ? a : b;
                await node.Chat.GetResponseAsync($"question {served}", acme);
                served++;
            }
        });

        Assert.Equal(13, served);
        Assert.Equal(7, a.Provider.Calls);
        Assert.Equal(6, b.Provider.Calls);
        Assert.Equal(13 * 0.00075m, refused.Spent);
        Assert.Equal(0m, refused.Reserved);
        Assert.NotNull(refused.EstimatedCost);
        BudgetBalance balance = await b.Services.GetRequiredService<IBudgetStore>().GetBalanceAsync(new BudgetOptions { Period = BudgetPeriod.Day }.KeyAt("acme", DateTimeOffset.UtcNow));
        Assert.Equal(new BudgetBalance(refused.Spent, 0m), balance);
    }

    private Node BudgetedInstance()
    {
        var provider = new FakeProvider("premium");
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", provider, t => t.Prices(input: 2.50m, output: 10m))
            .Default("premium")
            .UseCostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = RequestMetadataKeys.Tenant, Period = BudgetPeriod.Day, Limit = 0.01m, RefuseAtLimit = true })));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o => o.KeyPrefix = _prefix);
        ServiceProvider built = services.BuildServiceProvider();
        _instances.Add(built);
        return new Node(built.GetRequiredService<IChatClient>(), provider, built);
    }

    private Node Instance(Action<LlmRoutingRedisOptions>? configure = null)
    {
        var provider = new FakeProvider("premium");
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", provider, t => t.Prices(input: 2.50m, output: 10m))
            .UseExactCache()
            .Default("premium"));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o =>
        {
            o.KeyPrefix = _prefix;
            configure?.Invoke(o);
        });
        ServiceProvider built = services.BuildServiceProvider();
        _instances.Add(built);
        return new Node(built.GetRequiredService<IChatClient>(), provider, built);
    }

    private ConnectionMultiplexer Connect()
    {
        var connection = ConnectionMultiplexer.Connect(_redis.ConnectionString + ",allowAdmin=true");
        _disposables.Add(connection);
        return connection;
    }


    private static async Task WaitForReconnectAsync(RedisBudgetStore budget)
    {
        var stopwatch = Stopwatch.StartNew();
        while (budget.PendingKeys > 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await budget.ReplayAsync();
            if (budget.PendingKeys > 0)
            {
                await Task.Delay(100);
            }
        }
    }

    private sealed record Node(IChatClient Chat, FakeProvider Provider, ServiceProvider Services);
}
