using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting.Redis.IntegrationTests;

/// <summary>Reservations against a real redis-server: atomic, idempotent, expiring, and exact across a SIGKILL and restart.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisBudgetReservationTests : IDisposable
{
    // Redis expires keys on its own clock: the fake clock starts at the real time.
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    private readonly RedisServerFixture _redis;
    private readonly ITestOutputHelper _output;
    private readonly string _prefix = $"reserve-{Guid.NewGuid():N}:";
    private readonly List<IDisposable> _disposables = [];

    public RedisBudgetReservationTests(RedisServerFixture redis, ITestOutputHelper output)
    {
        _redis = redis;
        _output = output;
        _redis.Start();
    }

    public void Dispose()
    {
        foreach (IDisposable disposable in Enumerable.Reverse(_disposables))
        {
            disposable.Dispose();
        }

        if (_redis.Persistent)
        {
            _redis.Stop();
            _redis.Persistent = false;
        }

        _redis.Start();
    }

    [Fact]
    public async Task Reserve_Settle_Release_AreIdempotentByReservationId()
    {
        var time = new FakeTimeProvider(Start);
        RedisBudgetStore store = Store(time);
        DateTimeOffset end = Start.AddDays(1);

        BudgetReservationResult first = await store.ReserveAsync(new("k", "r1", 4m, 10m, Start.AddMinutes(10), end));
        BudgetReservationResult again = await store.ReserveAsync(new("k", "r1", 4m, 10m, Start.AddMinutes(10), end));
        BudgetReservationResult second = await store.ReserveAsync(new("k", "r2", 5m, 10m, Start.AddMinutes(10), end));
        BudgetReservationResult third = await store.ReserveAsync(new("k", "r3", 1.000000001m, 10m, Start.AddMinutes(10), end));

        Assert.Equal(BudgetReservationStatus.Reserved, first.Status);
        Assert.Equal(BudgetReservationStatus.AlreadyReserved, again.Status);
        Assert.Equal(new BudgetBalance(0m, 9m), second.Balance);
        Assert.Equal(BudgetReservationStatus.Refused, third.Status);

        Assert.True(await store.SettleAsync("k", "r1", 3.5m, end));
        Assert.False(await store.SettleAsync("k", "r1", 3.5m, end));
        Assert.False(await store.ReleaseAsync("k", "r1"));
        Assert.True(await store.ReleaseAsync("k", "r2"));
        Assert.False(await store.ReleaseAsync("k", "r2"));
        Assert.Equal(BudgetReservationStatus.AlreadyCompleted, (await store.ReserveAsync(new("k", "r1", 4m, 10m, Start.AddMinutes(10), end))).Status);
        Assert.Equal(new BudgetBalance(3.5m, 0m), await store.GetBalanceAsync("k"));

        // A second instance sees the same state.
        Assert.Equal(new BudgetBalance(3.5m, 0m), await Store(time).GetBalanceAsync("k"));
    }

    [Fact]
    public async Task AHoldNeverEnded_StopsCountingAtItsExpiry_AndIsStillSettledIfItsCallEnds()
    {
        var time = new FakeTimeProvider(Start);
        RedisBudgetStore store = Store(time);
        DateTimeOffset end = Start.AddDays(1);
        Assert.True((await store.ReserveAsync(new("k", "crashed", 6m, 10m, Start.AddMinutes(10), end))).IsGranted);
        Assert.False((await store.ReserveAsync(new("k", "late", 6m, 10m, Start.AddMinutes(10), end))).IsGranted);

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(new BudgetBalance(0m, 0m), await store.GetBalanceAsync("k"));
        Assert.True((await store.ReserveAsync(new("k", "late", 6m, 10m, Start.AddMinutes(20), end))).IsGranted);
        Assert.True(await store.SettleAsync("k", "crashed", 2m, end));
        Assert.Equal(new BudgetBalance(2m, 6m), await store.GetBalanceAsync("k"));
        TimeSpan? ttl = await Connect().GetDatabase().KeyTimeToLiveAsync(_prefix + "budget:{k}:done");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task ConcurrentReservationsFromTwoInstances_NeverHoldMoreThanTheLimit()
    {
        RedisBudgetStore a = Store(TimeProvider.System);
        RedisBudgetStore b = Store(TimeProvider.System);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        BudgetReservationResult[] results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? a : b).ReserveAsync(new("k", $"r{i}", 0.03m, 10m, now.AddMinutes(5), now.AddDays(1))))));

        Assert.Equal(333, results.Count(r => r.IsGranted));
        Assert.Equal(new BudgetBalance(0m, 9.99m), await b.GetBalanceAsync("k"));
    }

    [Fact]
    public async Task RedisKilledAndRestartedMidRun_DoubleCountsNothing_AndLosesNothing()
    {
        _redis.Stop();
        _redis.Persistent = true;
        _redis.Start();
        var nodes = Enumerable.Range(0, 2).Select(_ => Node()).ToArray();
        const int Callers = 16;
        const int RequestsPerCaller = 40;
        int answered = 0;
        using var killed = new ManualResetEventSlim();

        Task load = Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var options = new ChatOptions { MaxOutputTokens = 50, AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = "acme" } };
            for (int i = 0; i < RequestsPerCaller; i++)
            {
                await node.Chat.GetResponseAsync(string.Create(CultureInfo.InvariantCulture, $"caller {caller} request {i}"), options);
                Interlocked.Increment(ref answered);
            }
        }))));

        var wait = Stopwatch.StartNew();
        while (Volatile.Read(ref answered) < 2 * Callers * RequestsPerCaller / 3 && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(5);
        }

        _redis.Stop();
        await Task.Delay(300);
        _redis.Start();
        await load;

        RedisBudgetStore[] stores = [.. nodes.Select(n => n.Services.GetRequiredService<RedisBudgetStore>())];
        int journaled = stores.Sum(s => s.PendingOperations);
        wait.Restart();
        while (stores.Any(s => s.PendingOperations > 0) && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (RedisBudgetStore store in stores)
            {
                await store.ReplayAsync();
            }

            await Task.Delay(100);
        }

        decimal billed = nodes.Sum(n => n.Provider.Billed);
        BudgetBalance balance = await stores[0].GetBalanceAsync(new BudgetOptions { Period = BudgetPeriod.Day }.KeyAt("acme", DateTimeOffset.UtcNow));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{answered} answered, {journaled} changes journaled during the outage, provider billed {billed}, Redis spent {balance.Spent}, reserved {balance.Reserved}"));
        Assert.Equal(2 * Callers * RequestsPerCaller, answered);
        Assert.All(stores, s => Assert.Equal(0, s.PendingOperations));
        Assert.Equal(billed, balance.Spent);
        Assert.Equal(0m, balance.Reserved);
    }

    private (IChatClient Chat, BillingProvider Provider, ServiceProvider Services) Node()
    {
        BillingProvider provider = BilledProvider();
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", provider, t => t.Prices(input: BillingProvider.InputPrice, output: BillingProvider.OutputPrice))
            .Default("premium")
            .UseCostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = RequestMetadataKeys.Tenant, Period = BudgetPeriod.Day, Limit = 100_000m, RefuseAtLimit = true })));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o =>
        {
            o.KeyPrefix = _prefix;
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
        });
        ServiceProvider built = services.BuildServiceProvider();
        _disposables.Add(built);
        return (built.GetRequiredService<IChatClient>(), provider, built);
    }

    private RedisBudgetStore Store(TimeProvider time)
    {
        ConnectionMultiplexer connection = Connect();
        var store = new RedisBudgetStore(connection, new LlmRoutingRedisOptions { ConnectionString = _redis.ConnectionString, KeyPrefix = _prefix }, timeProvider: time);
        _disposables.Add(store);
        return store;
    }

    private ConnectionMultiplexer Connect()
    {
        var connection = ConnectionMultiplexer.Connect(_redis.ConnectionString);
        _disposables.Add(connection);
        return connection;
    }

    /// <summary>Bills 100–140 input and 10–50 output tokens per call, after 1–5 ms.</summary>
    private static BillingProvider BilledProvider() =>
        new((1, 6), _ => Random.Shared.Next(100, 141), (10, 51), "ok");
}
