using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

/// <summary>Time limits and the caller's cancellation end the caller's wait whatever the target does with its token.</summary>
public class NonCooperativeTargetTests
{
    /// <summary>Only guards against a hang (the time limits run on a fake clock); never reached when the code works.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task CallerCancellation_EndsTheWait_AndTheAbandonedAttemptIsChargedAndObservedOnce(bool streaming, bool fallback)
    {
        var premium = new NonCooperativeTarget("premium");
        var economy = new TestChatClient("economy");
        var observer = new AwaitingObserver();
        await using ServiceProvider provider = Build(premium.Client, economy, observer, fallback ? o => o.TotalTimeout = TimeSpan.FromMinutes(1) : null);
        using var cts = new CancellationTokenSource();

        Task pending = SendAsync(provider.GetRequiredService<IChatClient>(), streaming, cts.Token);
        await premium.Stalled.WaitAsync(Guard);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Guard));
        RouteInfo route = await observer.First.WaitAsync(Guard);
        Assert.Equal(RouteOutcome.Canceled, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Canceled, attempt.Outcome);
        Assert.True(attempt.IsCostEstimated);
        Assert.True(attempt.Cost > 0m, "the target read the prompt: charged the input estimate");
        Assert.Equal(attempt.Cost, route.Cost);
        Assert.Equal(0, economy.Calls);

        premium.Release(); // the abandoned call completes, successfully, later
        await premium.Ended.WaitAsync(Guard);
        Assert.Single(observer.Routes);
        Assert.Equal(attempt.Cost, route.Cost);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AttemptTimeout_EndsTheWait_AndFallsOver(bool streaming)
    {
        var time = new FakeTimeProvider();
        var premium = new NonCooperativeTarget("premium");
        var economy = new TestChatClient("economy");
        var observer = new AwaitingObserver();
        await using ServiceProvider provider = Build(premium.Client, economy, observer, o =>
        {
            o.Resilience.EnableRetry = false;
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(200);
            o.TotalTimeout = TimeSpan.FromSeconds(1);
        }, time);

        Task pending = SendAsync(provider.GetRequiredService<IChatClient>(), streaming, default);
        await premium.Stalled.WaitAsync(Guard);
        time.Advance(TimeSpan.FromMilliseconds(250));

        await pending.WaitAsync(Guard);
        RouteInfo route = await observer.First.WaitAsync(Guard);
        Assert.Equal("economy", route.Target);
        Assert.Equal([("premium", RouteAttemptOutcome.Failed), ("economy", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal("TimeoutRejectedException", route.Attempts[0].Error);
        Assert.True(route.Attempts[0].IsCostEstimated);
        Assert.True(route.Attempts[0].Cost > 0m);

        premium.Release();
        await premium.Ended.WaitAsync(Guard);
        Assert.Single(observer.Routes);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(true, 2)]
    public async Task TotalTimeout_EndsTheWait_WithFallbackTimeoutException(bool streaming, int updatesBeforeStall)
    {
        var time = new FakeTimeProvider();
        var premium = new NonCooperativeTarget("premium") { UpdatesBeforeStall = updatesBeforeStall };
        var observer = new AwaitingObserver();
        await using ServiceProvider provider = Build(premium.Client, new TestChatClient("economy"), observer, o =>
        {
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(10);
            o.TotalTimeout = TimeSpan.FromSeconds(1);
        }, time);

        Task pending = SendAsync(provider.GetRequiredService<IChatClient>(), streaming, default);
        await premium.Stalled.WaitAsync(Guard);
        time.Advance(TimeSpan.FromSeconds(1.5));

        await Assert.ThrowsAsync<FallbackTimeoutException>(() => pending.WaitAsync(Guard));
        RouteInfo route = await observer.First.WaitAsync(Guard);
        Assert.Equal(RouteOutcome.Failed, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal((RouteAttemptOutcome.Failed, nameof(TimeoutException)), (attempt.Outcome, attempt.Error));
        Assert.True(attempt.IsCostEstimated);
        Assert.True(attempt.Cost > 0m);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnAbandonedCallThatFailsLater_IsObserved_AndNeverCountedAgain(bool streaming)
    {
        string marker = $"late failure {Guid.NewGuid():N}";
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.Flatten().InnerExceptions.Any(x => x.Message == marker))
            {
                lock (unobserved)
                {
                    unobserved.Add(e.Exception);
                }
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var premium = new NonCooperativeTarget("premium") { FailWith = new InvalidOperationException(marker) };
            var observer = new AwaitingObserver();
            await using ServiceProvider provider = Build(premium.Client, new TestChatClient("economy"), observer, o => o.TotalTimeout = TimeSpan.FromMinutes(1));
            using var cts = new CancellationTokenSource();
            Task pending = SendAsync(provider.GetRequiredService<IChatClient>(), streaming, cts.Token);
            await premium.Stalled.WaitAsync(Guard);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Guard));

            premium.Release();
            await premium.Ended.WaitAsync(Guard);
            await Task.Delay(50); // lets the abandoned task's observing continuation run (no assertion on time)
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            RouteInfo route = Assert.Single(observer.Routes);
            Assert.Equal(RouteAttemptOutcome.Canceled, Assert.Single(route.Attempts).Outcome);
            Assert.Empty(unobserved);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    [Fact]
    public async Task AStreamTheCallerDropsWithoutDisposing_IsReleasedAndObservedOnce_WhenTheTimeLimitRunsOut()
    {
        var time = new FakeTimeProvider();
        var premium = new NonCooperativeTarget("premium") { UpdatesBeforeStall = 3 };
        var observer = new AwaitingObserver();
        await using ServiceProvider provider = Build(premium.Client, new TestChatClient("economy"), observer, o => o.TotalTimeout = TimeSpan.FromSeconds(10), time);
        IAsyncEnumerator<ChatResponseUpdate> dropped = provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello").GetAsyncEnumerator();
        Assert.True(await dropped.MoveNextAsync()); // the caller reads one update, then neither reads on nor disposes

        time.Advance(TimeSpan.FromSeconds(11));

        RouteInfo route = await observer.First.WaitAsync(Guard);
        await premium.Ended.WaitAsync(Guard); // the target's stream was disposed
        Assert.Equal(RouteOutcome.Abandoned, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Abandoned, attempt.Outcome);
        Assert.True(attempt.IsCostEstimated);
        Assert.True(attempt.Cost > 0m);

        // The caller comes back: the limit has run out; disposing then changes nothing.
        await Assert.ThrowsAsync<FallbackTimeoutException>(() => dropped.MoveNextAsync().AsTask());
        await dropped.DisposeAsync();
        Assert.Single(observer.Routes);
    }

    [Fact]
    public async Task AStreamTheCallerDropsWithoutDisposing_IsReleased_WhenTheCallerCancels_WithoutFallback()
    {
        var premium = new NonCooperativeTarget("premium") { UpdatesBeforeStall = 3 };
        var observer = new AwaitingObserver();
        await using ServiceProvider provider = Build(premium.Client, new TestChatClient("economy"), observer, configure: null);
        using var cts = new CancellationTokenSource();
        IAsyncEnumerator<ChatResponseUpdate> dropped = provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("hello", cancellationToken: cts.Token).GetAsyncEnumerator();
        Assert.True(await dropped.MoveNextAsync());

        await cts.CancelAsync();

        RouteInfo route = await observer.First.WaitAsync(Guard);
        await premium.Ended.WaitAsync(Guard);
        Assert.Equal(RouteOutcome.Canceled, route.Outcome);
        Assert.Equal(RouteAttemptOutcome.Abandoned, Assert.Single(route.Attempts).Outcome);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped.MoveNextAsync().AsTask());
        await dropped.DisposeAsync();
        Assert.Single(observer.Routes);
    }

    private static ServiceProvider Build(IChatClient premium, IChatClient economy, IRouteObserver observer, Action<FallbackOptions>? configure, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time ?? new FakeTimeProvider()); // no limit fires unless a test advances the clock
        services.AddKeyedChatClient("premium", premium);
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
             .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
             .Default("premium")
             .AddObserver(observer);
            if (configure is not null)
            {
                r.UseFallback(o =>
                {
                    o.Resilience.Retry.Delay = TimeSpan.Zero;
                    configure(o);
                });
            }
        });
        return services.BuildServiceProvider();
    }

    private static async Task SendAsync(IChatClient chat, bool streaming, CancellationToken cancellationToken)
    {
        if (!streaming)
        {
            await chat.GetResponseAsync("hello", cancellationToken: cancellationToken);
            return;
        }

        await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("hello", cancellationToken: cancellationToken));
    }

    /// <summary>Collects completed routes and lets a test wait for the first.</summary>
    private sealed class AwaitingObserver : IRouteObserver
    {
        private readonly TaskCompletionSource<RouteInfo> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly RecordingObserver _all = new();

        public Task<RouteInfo> First => _first.Task;

        public IReadOnlyCollection<RouteInfo> Routes => _all.Routes;

        public void OnRouteCompleted(RouteInfo route)
        {
            _all.OnRouteCompleted(route);
            _first.TrySetResult(route);
        }
    }
}
