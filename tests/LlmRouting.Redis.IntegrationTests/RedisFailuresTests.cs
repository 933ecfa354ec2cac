using System.Net.Sockets;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmRouting.Redis.IntegrationTests;

/// <summary>One classification of "Redis is unavailable" serves every Redis component (budgets, statistics, the cache's L2, write-behind).</summary>
public class RedisFailuresTests
{
    public static TheoryData<string, bool, bool> Cases => new()
    {
        { "RedisConnectionException", false, true },
        { "TimeoutException", false, true },
        { "InvalidOperationException", false, true },
        { "ObjectDisposedException", false, true },
        { "SocketException", false, true },
        { "IOException", false, true },
        { "OperationCanceledException", false, true },
        { "OperationCanceledException", true, false },
        { "AggregateOfOutages", false, true },
        { "AggregateWithABug", false, false },
        { "ArgumentException", false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsOutage_ClassifiesTheException(string exception, bool callerCancelled, bool outage)
    {
        using var cts = new CancellationTokenSource();
        if (callerCancelled)
        {
            cts.Cancel();
        }

        Assert.Equal(outage, RedisFailures.IsOutage(Create(exception), cts.Token));
    }

    [Theory]
    [InlineData("InvalidOperationException")]
    [InlineData("OperationCanceledException")]
    public async Task TheCacheL2_FailsOpen_OnEveryOutageTheBudgetStoreKnows(string exception)
    {
        var cache = new FailOpenDistributedCache(new ThrowingCache(() => Create(exception)), new RedisOutageTracker("cache", RedisOutageBehavior.FailOpen, NullLogger.Instance));

        Assert.Null(await cache.GetAsync("k"));
        Assert.Null(cache.Get("k"));
        await cache.SetAsync("k", [1], new DistributedCacheEntryOptions());
    }

    [Fact]
    public async Task TheCacheL2_LetsTheCallersOwnCancellationThrough()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var cache = new FailOpenDistributedCache(new ThrowingCache(() => new OperationCanceledException(cts.Token)), new RedisOutageTracker("cache", RedisOutageBehavior.FailOpen, NullLogger.Instance));

        await Assert.ThrowsAsync<OperationCanceledException>(() => cache.GetAsync("k", cts.Token));
    }

    private static Exception Create(string name) => name switch
    {
        "RedisConnectionException" => new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down"),
        "TimeoutException" => new TimeoutException(),
        "InvalidOperationException" => new InvalidOperationException("no connection is active"),
        "ObjectDisposedException" => new ObjectDisposedException("multiplexer"),
        "SocketException" => new SocketException(),
        "IOException" => new IOException(),
        "OperationCanceledException" => new OperationCanceledException(),
        "AggregateOfOutages" => new AggregateException(new TimeoutException(), new RedisConnectionException(ConnectionFailureType.SocketFailure, "reset")),
        "AggregateWithABug" => new AggregateException(new TimeoutException(), new ArgumentException("bug")),
        _ => new ArgumentException("a bug, not an outage"),
    };

    private sealed class ThrowingCache(Func<Exception> failure) : IDistributedCache
    {
        public byte[]? Get(string key) => throw failure();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromException<byte[]?>(failure());

        public void Refresh(string key) => throw failure();

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.FromException(failure());

        public void Remove(string key) => throw failure();

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.FromException(failure());

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw failure();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.FromException(failure());
    }
}
