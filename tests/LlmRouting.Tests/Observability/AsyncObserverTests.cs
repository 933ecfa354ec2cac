using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

/// <summary>Asynchronous observers: off the caller's path, in order, bounded queue, per-call timeout, failures logged by type, drained at disposal.</summary>
public sealed class AsyncObserverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ASlowObserver_NeverDelaysTheCaller_AndGetsEveryRouteInCompletionOrder()
    {
        var observer = new GatedObserver();
        using LlmRouterChatClient router = Router(b => b.AddAsyncObserver(observer));

        var sent = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            sent.Add((await router.GetResponseAsync($"hello {i}")).GetRouteInfo()!.RouteId); // returns while the observer is blocked
        }

        await observer.Entered.Task.WaitAsync(Wait);
        Assert.Empty(observer.Seen);
        observer.Gate.SetResult();
        await observer.WaitForAsync(3);
        Assert.Equal(sent, observer.Seen.Select(r => r.RouteId));
        Assert.All(observer.Seen, r => Assert.Equal(RouteOutcome.Succeeded, r.Outcome));
    }

    [Fact]
    public async Task AThrowingObserver_IsLoggedByTypeOnly_AndTheNextRouteFollows()
    {
        var logs = new FakeLogCollector();
        var observer = new ThrowOnceObserver();
        using LlmRouterChatClient router = Router(b => b.AddAsyncObserver(observer), logs);

        ChatResponse first = await router.GetResponseAsync("first");
        await router.GetResponseAsync("second");
        await observer.WaitForAsync(1);

        Assert.Equal("economy answers", first.Text);
        FakeLogRecord failure = Assert.Single(logs.GetSnapshot(), l => l.Id.Id == 1032);
        Assert.Contains(nameof(InvalidOperationException), failure.Message, StringComparison.Ordinal);
        Assert.Contains(first.GetRouteInfo()!.RouteId, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the observer's secret", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.Exception);
    }

    [Fact]
    public async Task AFullQueue_DropsRoutesAndLogs_WithoutBlockingTheCaller()
    {
        var logs = new FakeLogCollector();
        var observer = new GatedObserver();
        using LlmRouterChatClient router = Router(b => b.AddAsyncObserver(observer, o => o.QueueCapacity = 1), logs);

        await router.GetResponseAsync("taken by the observer");
        await observer.Entered.Task.WaitAsync(Wait); // the loop holds the first route
        await router.GetResponseAsync("queued");
        await router.GetResponseAsync("dropped 1");
        await router.GetResponseAsync("dropped 2");
        observer.Gate.SetResult();
        await observer.WaitForAsync(2);

        FakeLogRecord dropped = Assert.Single(logs.GetSnapshot(), l => l.Id.Id == 1030);
        Assert.Contains("1 route(s) dropped", dropped.Message, StringComparison.Ordinal);
        await Task.Delay(50);
        Assert.Equal(2, observer.Seen.Count);
    }

    [Fact]
    public async Task ACallPastItsTimeout_IsCancelledAndLogged_AndTheNextRouteFollows()
    {
        var logs = new FakeLogCollector();
        var observer = new HangOnceObserver();
        using LlmRouterChatClient router = Router(b => b.AddAsyncObserver(observer, o => o.Timeout = TimeSpan.FromMilliseconds(50)), logs);

        await router.GetResponseAsync("hangs");
        await router.GetResponseAsync("follows");
        await observer.WaitForAsync(1);

        Assert.True(observer.WasCancelled);
        Assert.Single(logs.GetSnapshot(), l => l.Id.Id == 1031);
    }

    [Fact]
    public async Task DisposingTheRouter_DrainsTheQueue()
    {
        var observer = new SlowObserver(TimeSpan.FromMilliseconds(20));
        LlmRouterChatClient router = Router(b => b.AddAsyncObserver(observer));
        for (int i = 0; i < 5; i++)
        {
            await router.GetResponseAsync($"hello {i}");
        }

        router.Dispose(); // the router built its own services: disposing it disposes the queue, which drains first

        Assert.Equal(5, observer.Seen.Count);
    }

    [Fact]
    public async Task UnderAddLlmRouter_TheObserverIsResolvedFromTheContainer_AndTheContainerDrainsIt()
    {
        var observer = new SlowObserver(TimeSpan.FromMilliseconds(5));
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddSingleton(observer);
        services.AddLlmRouter(r => r.AddTarget("economy").Default("economy").AddAsyncObserver<SlowObserver>());
        ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello");
        await provider.DisposeAsync();

        Assert.Single(observer.Seen);
    }

    [Fact]
    public void OutOfRangeOptions_FailTheBuild_NamingTheField()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Router(b => b.AddAsyncObserver(new GatedObserver(), o => o.QueueCapacity = 0)));

        Assert.Contains(e.Failures, f => f.Contains("AsyncRouteObserverOptions", StringComparison.Ordinal) && f.Contains("QueueCapacity", StringComparison.Ordinal));
    }

    private static LlmRouterChatClient Router(Action<LlmRouterBuilder> configure, FakeLogCollector? logs = null)
    {
        var builder = new LlmRouterBuilder().AddTarget("economy", new TestChatClient("economy")).Default("economy");
        if (logs is not null)
        {
            builder.Services.AddSingleton(LoggerFactory.Create(l => l.AddProvider(new FakeLoggerProvider(logs))));
        }

        configure(builder);
        return builder.Build();
    }

    private abstract class RecordingObserver : IAsyncRouteObserver
    {
        private readonly ConcurrentQueue<RouteInfo> _seen = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public IReadOnlyCollection<RouteInfo> Seen => _seen;

        public abstract ValueTask OnRouteCompletedAsync(RouteInfo route, CancellationToken cancellationToken);

        public async Task WaitForAsync(int count)
        {
            while (_seen.Count < count)
            {
                Assert.True(await _arrived.WaitAsync(Wait), $"only {_seen.Count} of {count} routes arrived");
            }
        }

        protected void Record(RouteInfo route)
        {
            _seen.Enqueue(route);
            _arrived.Release();
        }
    }

    private sealed class GatedObserver : RecordingObserver
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask OnRouteCompletedAsync(RouteInfo route, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Gate.Task.WaitAsync(cancellationToken);
            Record(route);
        }
    }

    private sealed class ThrowOnceObserver : RecordingObserver
    {
        private int _calls;

        public override ValueTask OnRouteCompletedAsync(RouteInfo route, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new InvalidOperationException("the observer's secret");
            }

            Record(route);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class HangOnceObserver : RecordingObserver
    {
        private int _calls;

        public bool WasCancelled { get; private set; }

        public override async ValueTask OnRouteCompletedAsync(RouteInfo route, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    WasCancelled = true;
                    throw;
                }
            }

            Record(route);
        }
    }

    private sealed class SlowObserver : RecordingObserver
    {
        private readonly TimeSpan _delay;

        public SlowObserver(TimeSpan delay)
        {
            _delay = delay;
        }

        public override async ValueTask OnRouteCompletedAsync(RouteInfo route, CancellationToken cancellationToken)
        {
            await Task.Delay(_delay, cancellationToken);
            Record(route);
        }
    }
}
