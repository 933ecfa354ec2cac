using System.Net.Sockets;
using System.Reflection;
using StackExchange.Redis;
using LlmRouting.Costs;

namespace LlmRouting.Redis.IntegrationTests;

/// <summary>Every kind of failure StackExchange.Redis raises is an outage that gets the configured behaviour, never a raw exception.</summary>
public sealed class RedisBudgetOutageTests
{
    private static readonly DateTimeOffset End = DateTimeOffset.UtcNow.AddDays(1);

    public static TheoryData<string, RedisOutageBehavior> Failures()
    {
        var data = new TheoryData<string, RedisOutageBehavior>();
        foreach (string failure in Failure.Keys)
        {
            data.Add(failure, RedisOutageBehavior.FailOpen);
            data.Add(failure, RedisOutageBehavior.FailClosed);
        }

        return data;
    }

    private static readonly Dictionary<string, Func<Exception>> Failure = new()
    {
        ["connection"] = () => new RedisConnectionException(ConnectionFailureType.SocketClosed, "SocketClosed"),
        ["timeout"] = () => new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent),
        ["server LOADING"] = () => new RedisServerException("LOADING Redis is loading the dataset in memory"),
        ["invalid operation"] = () => new InvalidOperationException("No connection is active/available to service this operation"),
        ["task canceled"] = () => new TaskCanceledException(),
        ["operation canceled"] = () => new OperationCanceledException(),
        ["disposed"] = () => new ObjectDisposedException("ConnectionMultiplexer"),
        ["socket"] = () => new SocketException((int)SocketError.ConnectionReset),
        ["aggregate"] = () => new AggregateException(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "UnableToConnect")),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task EveryStackExchangeRedisFailure_GetsTheOutageBehaviour(string failure, RedisOutageBehavior behavior)
    {
        Exception error = Failure[failure]();
        using var store = new RedisBudgetStore(FakeRedis.Throwing(() => Task.FromException<RedisResult>(error)), Options(behavior));

        if (behavior == RedisOutageBehavior.FailClosed)
        {
            RedisStateUnavailableException read = await Assert.ThrowsAsync<RedisStateUnavailableException>(async () => await store.GetBalanceAsync("k"));
            Assert.Same(error, read.InnerException);
            RedisStateUnavailableException reserve = await Assert.ThrowsAsync<RedisStateUnavailableException>(async () => await store.ReserveAsync(Reservation("r1")));
            Assert.StartsWith("Redis is unavailable and LlmRouting:Redis:OutageBehavior is FailClosed: the shared budget cannot be reserved.", reserve.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(default, await store.GetBalanceAsync("k"));
            BudgetReservationResult granted = await store.ReserveAsync(Reservation("r1"));
            Assert.Equal(BudgetReservationStatus.Reserved, granted.Status);
            Assert.Equal(new BudgetBalance(0m, 2m), granted.Balance);
            Assert.Equal(BudgetReservationStatus.Refused, (await store.ReserveAsync(Reservation("r2", 9m))).Status);
        }

        // Settles and releases never throw: the spend is journaled for replay, in both behaviours.
        Assert.True(await store.SettleAsync("k", "r1", 1.5m, End));
        Assert.True(await store.ReleaseAsync("k", "r3"));
        Assert.Equal(1.5m, await store.AddSpendAsync("k", 0m, End));
        Assert.True(store.PendingOperations >= 2);
    }

    [Fact]
    public async Task ACancellationTheCallerAskedFor_IsTheCallers_AndAnyHoldItMayHaveLeftIsReleasedOnReplay()
    {
        var never = new TaskCompletionSource<RedisResult>();
        using var store = new RedisBudgetStore(FakeRedis.Throwing(() => never.Task), Options(RedisOutageBehavior.FailClosed));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetBalanceAsync("k", cts.Token));
        Assert.Equal(0, store.PendingOperations);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ReserveAsync(Reservation("r1"), cts.Token));
        Assert.Equal(1, store.PendingOperations);
    }

    [Fact]
    public async Task AnErrorThatIsNotRedis_IsNotHiddenAsAnOutage()
    {
        using var store = new RedisBudgetStore(FakeRedis.Throwing(() => Task.FromException<RedisResult>(new FormatException("bug"))), Options(RedisOutageBehavior.FailOpen));

        await Assert.ThrowsAsync<FormatException>(async () => await store.GetBalanceAsync("k"));
    }

    private static BudgetReservation Reservation(string id, decimal amount = 2m) => new("k", id, amount, 10m, DateTimeOffset.UtcNow.AddMinutes(5), End);

    private static LlmRoutingRedisOptions Options(RedisOutageBehavior behavior) => new() { ConnectionString = "127.0.0.1:1", OutageBehavior = behavior };

    /// <summary>A multiplexer whose database answers every script with the given task (and supports nothing else).</summary>
    public class FakeRedis : DispatchProxy
    {
        private Func<Task<RedisResult>> _script = () => throw new NotSupportedException();
        private object? _database;

        public static IConnectionMultiplexer Throwing(Func<Task<RedisResult>> script)
        {
            IDatabase database = Create<IDatabase, FakeRedis>();
            ((FakeRedis)(object)database)._script = script;
            IConnectionMultiplexer connection = Create<IConnectionMultiplexer, FakeRedis>();
            ((FakeRedis)(object)connection)._database = database;
            return connection;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IConnectionMultiplexer.GetDatabase) => _database,
            nameof(IDatabase.ScriptEvaluateAsync) => _script(),
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
