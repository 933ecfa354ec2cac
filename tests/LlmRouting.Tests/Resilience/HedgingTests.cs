using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

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

    private static TestChatClient Hanging(string name, TaskCompletionSource<bool> cancelled) => new(name)
    {
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

    private static async Task<T> AdvanceUntil<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, int maxSteps = 200)
    {
        for (int i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            await Task.Yield();
            time.Advance(step);
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SlowPrimary_IsHedgedAfterTheDelay_FirstSuccessWins_AndTheLoserIsCancelledAndCharged()
    {
        var time = new FakeTimeProvider();
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var premium = Hanging("premium", cancelled);
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider _ = provider;

        Task<ChatResponse> pending = chat.GetResponseAsync("hello");
        await Task.Yield();
        Assert.Equal(0, economy.Calls);
        time.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Yield();
        Assert.Equal(0, economy.Calls);

        ChatResponse response = await AdvanceUntil(time, pending, TimeSpan.FromMilliseconds(100));

        Assert.Equal("economy answers", response.Text);
        Assert.True(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        RouteInfo route = response.GetRouteInfo()!;
        Assert.Equal("economy", route.Target);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Superseded), ("economy", RouteAttemptOutcome.Succeeded)],
            route.Attempts.Select(a => (a.Target, a.Outcome)));
        decimal premiumEstimate = route.Request.EstimatedInputTokens * 2.50m / 1_000_000m;
        decimal economyCost = ((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m;
        Assert.Equal(premiumEstimate, route.Attempts[0].Cost);
        Assert.Equal(economyCost, route.Attempts[1].Cost);
        Assert.Equal(premiumEstimate + economyCost, route.Cost);
    }

    [Fact]
    public async Task FastPrimary_IsNotHedged()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium");
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("hello");

        Assert.Equal("premium", response.GetRouteInfo()!.Target);
        Assert.Equal(0, economy.Calls);
        RouteAttempt attempt = Assert.Single(response.GetRouteInfo()!.Attempts);
        Assert.Equal(RouteAttemptOutcome.Succeeded, attempt.Outcome);
    }

    [Fact]
    public async Task FailingPrimary_StartsTheHedgeAtOnce()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable)),
        };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, time);
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("hello").WaitAsync(TimeSpan.FromSeconds(10));

        RouteInfo route = response.GetRouteInfo()!;
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
