using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

public class HedgingTests
{
    private static (IChatClient Chat, ServiceProvider Provider) Build(TestChatClient premium, TestChatClient economy, FakeTimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddKeyedChatClient("premium", premium);
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("premium")
            .UseFallback(o =>
            {
                o.Resilience.EnableRetry = false;
                o.Hedging.Enabled = true;
                o.Hedging.InitialDelay = TimeSpan.FromSeconds(2);
            }));
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IChatClient>(), provider);
    }

    private static TestChatClient Hanging(string name, TaskCompletionSource<bool> cancelled, TaskCompletionSource<bool>? disposed = null) => new(name)
    {
        GetStreamingResponseAsyncCallback = (_, _, ct) => HangBeforeTheFirstUpdate(cancelled, disposed, ct),
        GetResponseAsyncCallback = async (_, _, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult(true);
                throw;
            }

            throw new InvalidOperationException("unreachable");
        },
    };

    private static async IAsyncEnumerable<ChatResponseUpdate> HangBeforeTheFirstUpdate(TaskCompletionSource<bool> cancelled, TaskCompletionSource<bool>? disposed, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult(true);
                throw;
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, "unreachable");
        }
        finally
        {
            disposed?.TrySetResult(true);
        }
    }

    private static async Task<(string Text, RouteInfo Route)> SendAsync(IChatClient chat, bool streaming)
    {
        if (!streaming)
        {
            ChatResponse response = await chat.GetResponseAsync("hello");
            return (response.Text, response.GetRouteInfo()!);
        }

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("hello"));
        return (updates.ToChatResponse().Text, updates[^1].GetRouteInfo()!);
    }

    private static async Task<T> AdvanceUntil<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, int maxSteps = 200)
    {
        for (int i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            await Task.Yield();
            time.Advance(step);
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SlowPrimary_IsHedgedAfterTheDelay_FirstSuccessWins_AndTheLoserIsCancelledAndCharged(bool streaming)
    {
        var time = new FakeTimeProvider();
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var disposed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var premium = Hanging("premium", cancelled, disposed);
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider __ = provider;

        Task<(string Text, RouteInfo Route)> pending = SendAsync(chat, streaming);
        await Task.Yield();
        Assert.Equal(0, economy.Calls);
        time.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Yield();
        Assert.Equal(0, economy.Calls);

        (string text, RouteInfo route) = await AdvanceUntil(time, pending, TimeSpan.FromMilliseconds(100));

        Assert.Equal(streaming ? "economy streams an answer" : "economy answers", text);
        Assert.True(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        if (streaming)
        {
            Assert.True(disposed.Task.IsCompleted, "the losing stream's enumerator was not disposed before the winner's first update was released");
        }

        Assert.Equal("economy", route.Target);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Superseded, true), ("economy", RouteAttemptOutcome.Succeeded, false)],
            route.Attempts.Select(a => (a.Target, a.Outcome, a.IsCostEstimated)));
        decimal premiumEstimate = route.Request.EstimatedInputTokens * 2.50m / 1_000_000m;
        decimal economyCost = ((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m;
        Assert.Equal(premiumEstimate, route.Attempts[0].Cost);
        Assert.Equal(economyCost, route.Attempts[1].Cost);
        Assert.Equal(premiumEstimate + economyCost, route.Cost);
        Assert.True(route.IsCostEstimated);
    }

    [Fact]
    public async Task Streams_HedgeOnTheObservedTimeToFirstToken_NotOnTheTotalLatency()
    {
        var time = new FakeTimeProvider();
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var premium = Hanging("premium", cancelled);
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider __ = provider;
        RequestHedger hedger = Assert.IsType<FallbackRouteExecutor>(provider.GetRequiredService<LlmRouterChatClient>().Executor).Hedger!;
        for (int i = 0; i < 20; i++)
        {
            hedger.FirstTokens.Record("premium", TimeSpan.FromMilliseconds(300)); // quick to start streaming …
            hedger.Latencies.Record("premium", TimeSpan.FromSeconds(30));         // … slow to finish
        }

        await using IAsyncEnumerator<ChatResponseUpdate> stream = chat.GetStreamingResponseAsync("hello").GetAsyncEnumerator();
        Task<bool> first = stream.MoveNextAsync().AsTask();
        await Task.Yield();
        time.Advance(TimeSpan.FromMilliseconds(250));
        await Task.Yield();
        Assert.Equal(0, economy.Calls);

        Assert.True(await AdvanceUntil(time, first, TimeSpan.FromMilliseconds(10), maxSteps: 10));

        Assert.Equal("economy", stream.Current.Text);
        Assert.Equal(1, economy.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FastPrimary_IsNotHedged(bool streaming)
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium");
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider __ = provider;

        (string _, RouteInfo route) = await SendAsync(chat, streaming);

        Assert.Equal("premium", route.Target);
        Assert.Equal(0, economy.Calls);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Succeeded, attempt.Outcome);
        Assert.Equal(((1000 * 2.50m) + (500 * 10m)) / 1_000_000m, route.Cost);
        Assert.False(route.IsCostEstimated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailingPrimary_StartsTheHedgeAtOnce(bool streaming)
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable)),
            GetStreamingResponseAsyncCallback = (_, _, _) => Streams.FailBeforeTheFirstUpdate(new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable)),
        };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider __ = provider;

        (string _, RouteInfo route) = await SendAsync(chat, streaming).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("economy", route.Target);
        Assert.True(route.IsFallback);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Failed), ("economy", RouteAttemptOutcome.Succeeded)],
            route.Attempts.Select(a => (a.Target, a.Outcome)));
    }

    [Fact]
    public void LatencyWindow_ReportsThePercentileOfRecentSamples_OnlyWithEnoughSamples()
    {
        var window = new LatencyWindow(100);
        for (int i = 1; i <= 19; i++)
        {
            window.Record("a", TimeSpan.FromMilliseconds(i));
        }

        Assert.Null(window.Percentile("a", 0.95, minimumSamples: 20));
        for (int i = 20; i <= 200; i++)
        {
            window.Record("a", TimeSpan.FromMilliseconds(i));
        }

        // The ring keeps the last 100 samples: 101..200 ms; p95 is the 95th of them.
        Assert.Equal(TimeSpan.FromMilliseconds(195), window.Percentile("a", 0.95, minimumSamples: 20));
        Assert.Equal(TimeSpan.FromMilliseconds(200), window.Percentile("A", 1.0, minimumSamples: 20));
        Assert.Null(window.Percentile("b", 0.95, minimumSamples: 1));
    }
}
