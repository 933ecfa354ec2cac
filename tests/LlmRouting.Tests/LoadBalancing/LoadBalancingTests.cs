using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class LoadBalancingTests
{
    private static TargetRegistry Three() => new(
    [
        new RouteTarget("a", new TestChatClient("a"), new TargetProfile()),
        new RouteTarget("b", new TestChatClient("b"), new TargetProfile()),
        new RouteTarget("c", new TestChatClient("c"), new TargetProfile()),
    ]);

    private static async Task<RouteDecision> Decide(IRoutingStrategy strategy, TargetRegistry registry, RoutingRequest? request = null) =>
        (await strategy.DecideAsync(request ?? new RoutingRequest("hi"), RouteCandidates.All(registry), default))!;

    [Fact]
    public async Task LeastInFlight_PicksTheIdlestTarget_OthersFollowByLoad()
    {
        var tracker = new TargetLoadTracker();
        tracker.Start("a");
        tracker.Start("a");
        tracker.Start("b");

        RouteDecision decision = await Decide(new LeastInFlightStrategy(tracker), Three());

        Assert.Equal(["c", "b", "a"], decision.Targets.Select(t => t.Name));
        Assert.Equal("fewest in flight (0)", decision.Reason);
    }

    [Fact]
    public async Task LeastInFlight_CanBeLimitedToASubset_AndAbstainsWhenNoneIsACandidate()
    {
        var tracker = new TargetLoadTracker();
        TargetRegistry registry = Three();
        var strategy = new LeastInFlightStrategy(tracker, ["b", "c"]);

        Assert.Equal("b", (await Decide(strategy, registry)).Primary.Name);
        var onlyA = new RouteCandidates(registry, [registry["a"]]);
        Assert.Null(await strategy.DecideAsync(new RoutingRequest("hi"), onlyA, default));
    }

    [Fact]
    public void Ewma_SmoothsLatency_OnTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var tracker = new TargetLoadTracker(new LoadTrackingOptions { Smoothing = 0.5 }, time);

        Sample(100);
        Sample(300);
        Sample(300);

        TargetLoad load = tracker.GetLoad("a");
        Assert.Equal(TimeSpan.FromMilliseconds(250), load.LatencyEwma); // 100 → 200 → 250
        Assert.Equal(3, load.Samples);
        Assert.Equal(0, load.InFlight);

        void Sample(int ms)
        {
            long start = tracker.Start("a");
            time.Advance(TimeSpan.FromMilliseconds(ms));
            tracker.End("a", start, LoadOutcome.Succeeded);
        }
    }

    [Fact]
    public async Task LowestLatency_WarmsUpColdTargetsFirst_ThenPrefersTheFastest()
    {
        var time = new FakeTimeProvider();
        var tracker = new TargetLoadTracker(new LoadTrackingOptions { MinSamples = 2 }, time);
        var strategy = new LowestLatencyStrategy(tracker);
        foreach ((string target, int ms) in new[] { ("a", 400), ("a", 400), ("b", 100), ("b", 120) })
        {
            long start = tracker.Start(target);
            time.Advance(TimeSpan.FromMilliseconds(ms));
            tracker.End(target, start, LoadOutcome.Succeeded);
        }

        RouteDecision cold = await Decide(strategy, Three());
        Assert.Equal("c", cold.Primary.Name);
        Assert.Equal("warming up (0 of 2 samples)", cold.Reason);

        long s1 = tracker.Start("c");
        time.Advance(TimeSpan.FromMilliseconds(900));
        tracker.End("c", s1, LoadOutcome.Succeeded);
        long s2 = tracker.Start("c");
        time.Advance(TimeSpan.FromMilliseconds(900));
        tracker.End("c", s2, LoadOutcome.Succeeded);

        RouteDecision warm = await Decide(strategy, Three());
        Assert.Equal(["b", "a", "c"], warm.Targets.Select(t => t.Name));
        Assert.StartsWith("lowest latency (", warm.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LowestLatency_OrdersBySamplesWhileWarmingUp_ThenByLatency_ThenByCallsInFlight()
    {
        var time = new FakeTimeProvider();
        var tracker = new TargetLoadTracker(new LoadTrackingOptions { MinSamples = 3 }, time);
        var strategy = new LowestLatencyStrategy(tracker);
        var registry = new TargetRegistry(new[] { "a", "b", "d", "c" }.Select(n => new RouteTarget(n, new TestChatClient(n), new TargetProfile())));
        Samples("a", 200, 1);
        Samples("c", 100, 3);
        Samples("d", 100, 3);
        _ = tracker.Start("d");

        RouteDecision warming = await Decide(strategy, registry);
        Assert.Equal(["b", "a", "c", "d"], warming.Targets.Select(t => t.Name));
        Assert.Equal("warming up (0 of 3 samples)", warming.Reason);
        Assert.Null(warming.Score);

        Samples("a", 200, 2);
        Samples("b", 300, 3);
        RouteDecision measured = await Decide(strategy, registry);
        Assert.Equal(["c", "d", "a", "b"], measured.Targets.Select(t => t.Name));
        Assert.Equal("lowest latency (100 ms)", measured.Reason);
        Assert.Equal(100.0, measured.Score!.Value, 6);

        void Samples(string target, int ms, int count)
        {
            for (int i = 0; i < count; i++)
            {
                long start = tracker.Start(target);
                time.Advance(TimeSpan.FromMilliseconds(ms));
                tracker.End(target, start, LoadOutcome.Succeeded);
            }
        }
    }

    [Fact]
    public async Task StreamLatency_IsTimeToFirstUpdate_NotTotalTime()
    {
        var time = new FakeTimeProvider();
        var tracker = new TargetLoadTracker(timeProvider: time);
        var inner = new TestChatClient("a") { GetStreamingResponseAsyncCallback = (_, _, _) => Slow(time) };
        var client = new LoadTrackingChatClient(inner, tracker, "a");

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
        }

        Assert.Equal(TimeSpan.FromMilliseconds(200), tracker.GetLoad("a").LatencyEwma);

        static async IAsyncEnumerable<ChatResponseUpdate> Slow(FakeTimeProvider time)
        {
            await Task.Yield();
            time.Advance(TimeSpan.FromMilliseconds(200));
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
            time.Advance(TimeSpan.FromSeconds(5));
            yield return new ChatResponseUpdate(ChatRole.Assistant, " rest");
        }
    }

    [Fact]
    public async Task InFlight_IsExactUnderConcurrencyAndCancellation_AndCancellationIsNotAFailure()
    {
        var tracker = new TargetLoadTracker();
        var gate = new TaskCompletionSource();
        var inner = new TestChatClient("a")
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await gate.Task.WaitAsync(ct);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
            },
        };
        var client = new LoadTrackingChatClient(inner, tracker, "a");
        var random = new Random(42);
        var sources = Enumerable.Range(0, 1_000).Select(_ => new CancellationTokenSource()).ToArray();

        Task[] calls = [.. sources.Select(cts => Task.Run(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: cts.Token)))];
        while (tracker.GetLoad("a").InFlight < 1_000)
        {
            await Task.Delay(1);
        }

        int cancelled = 0;
        foreach (CancellationTokenSource cts in sources)
        {
            if (random.NextDouble() < 0.3)
            {
                await cts.CancelAsync();
                cancelled++;
            }
        }

        gate.SetResult();
        await Task.WhenAll(calls.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        TargetLoad load = tracker.GetLoad("a");
        Assert.Equal(0, load.InFlight);
        Assert.Equal(0, load.Failures);
        Assert.Equal(cancelled, calls.Count(t => t.IsCanceled));
        Assert.Equal(1_000 - cancelled, calls.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(1_000 - cancelled, load.Samples);
        Array.ForEach(sources, s => s.Dispose());
    }

    [Fact]
    public async Task AbandonedAndFailedStreams_LeaveNothingInFlight()
    {
        var tracker = new TargetLoadTracker();
        var client = new LoadTrackingChatClient(new TestChatClient("a"), tracker, "a");
        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
        {
            break;
        }

        var failing = new LoadTrackingChatClient(new TestChatClient("b") { GetStreamingResponseAsyncCallback = (_, _, _) => Throw() }, tracker, "b");
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in failing.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            {
            }
        });

        Assert.Equal(0, tracker.GetLoad("a").InFlight);
        Assert.Equal(0, tracker.GetLoad("a").Failures);
        Assert.Equal(0, tracker.GetLoad("b").InFlight);
        Assert.Equal(1, tracker.GetLoad("b").Failures);

        static async IAsyncEnumerable<ChatResponseUpdate> Throw()
        {
            await Task.Yield();
            throw new IOException("reset");
#pragma warning disable CS0162 // An iterator needs a yield.
            yield break;
#pragma warning restore CS0162
        }
    }

    [Fact]
    public async Task PowerOfTwoChoices_IsDeterministicWithASeed_AndPicksTheLessLoadedOfThePair()
    {
        var tracker = new TargetLoadTracker();
        for (int i = 0; i < 5; i++)
        {
            tracker.Start("a");
        }

        var first = new PowerOfTwoChoicesStrategy(tracker, random: new Random(7));
        var second = new PowerOfTwoChoicesStrategy(tracker, random: new Random(7));
        var picks = new List<string>();
        for (int i = 0; i < 50; i++)
        {
            RouteDecision d1 = await Decide(first, Three());
            RouteDecision d2 = await Decide(second, Three());
            Assert.Equal(d1.Primary.Name, d2.Primary.Name);
            picks.Add(d1.Primary.Name);
        }

        Assert.DoesNotContain("a", picks); // whenever "a" is drawn, its partner has fewer in flight
        Assert.Contains("b", picks);
        Assert.Contains("c", picks);
    }

    [Fact]
    public async Task WeightedSplit_FollowsTheWeights_AndStickyKeysAlwaysLandTogether()
    {
        var options = new WeightedSplitOptions { Random = new Random(1) };
        options.Weights["a"] = 90;
        options.Weights["b"] = 10;
        var strategy = new WeightedSplitStrategy(options);
        TargetRegistry registry = Three();

        int toB = 0;
        for (int i = 0; i < 10_000; i++)
        {
            if ((await Decide(strategy, registry)).Primary.Name == "b")
            {
                toB++;
            }
        }

        Assert.InRange(toB, 900, 1_100);

        var sticky = new WeightedSplitOptions { StickyKey = "user" };
        sticky.Weights["a"] = 50;
        sticky.Weights["b"] = 50;
        var stickyStrategy = new WeightedSplitStrategy(sticky);
        for (int u = 0; u < 50; u++)
        {
            var request = new RoutingRequest("hi", Targets.WithMetadata(("user", $"user-{u}")));
            string first = (await Decide(stickyStrategy, registry, request)).Primary.Name;
            for (int again = 0; again < 5; again++)
            {
                Assert.Equal(first, (await Decide(stickyStrategy, registry, request)).Primary.Name);
            }
        }
    }

    [Fact]
    public void ConsistentHashing_MovesAboutOneInNKeys_WhenATargetIsAdded()
    {
        var four = new ConsistentHashStrategy(["a", "b", "c", "d"]);
        var five = new ConsistentHashStrategy(["a", "b", "c", "d", "e"]);
        const int Keys = 20_000;

        int moved = 0;
        for (int k = 0; k < Keys; k++)
        {
            string key = $"user-{k}";
            string before = four.Owner(key);
            string after = five.Owner(key);
            if (before != after)
            {
                moved++;
                Assert.Equal("e", after); // keys only ever move to the new target
            }
        }

        Assert.InRange(moved / (double)Keys, 0.15, 0.25); // ≈ 1/5
    }

    [Fact]
    public async Task ConsistentHashing_WalksTheRingWhenTheHomeTargetIsFiltered_AndAbstainsWithoutAKey()
    {
        TargetRegistry registry = Three();
        var strategy = new ConsistentHashStrategy(["a", "b", "c"]);
        var request = new RoutingRequest("hi", Targets.WithMetadata(("user", "alice")));
        string home = strategy.Owner("alice");

        RouteDecision all = await Decide(strategy, registry, request);
        Assert.Equal(home, all.Primary.Name);
        Assert.Equal(3, all.Targets.Count);

        var withoutHome = new RouteCandidates(registry, [.. registry.Targets.Where(t => t.Name != home)]);
        RouteDecision? moved = await strategy.DecideAsync(request, withoutHome, default);
        Assert.NotEqual(home, moved!.Primary.Name);
        Assert.Equal("hash of 'user' (home target unavailable)", moved.Reason);

        Assert.Null(await strategy.DecideAsync(new RoutingRequest("hi"), RouteCandidates.All(registry), default));
    }

    [Fact]
    public async Task ThroughDI_TheTrackerSeesEveryTarget_AndUnknownTargetsFailAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("a", new TestChatClient("a"))
            .AddTarget("b", new TestChatClient("b"))
            .Default("a")
            .UseLeastInFlight());
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        RouteInfo route = (await chat.GetResponseAsync("hi")).GetRouteInfo()!;

        Assert.Equal(LeastInFlightStrategy.StrategyName, route.Strategy);
        Assert.Equal(1, provider.GetRequiredService<TargetLoadTracker>().GetLoad(route.Target).Samples);

        var bad = new ServiceCollection();
        bad.AddLlmRouter(r => r.AddTarget("a", new TestChatClient()).Default("a").UseLeastInFlight("ghost"));
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        var ex = Assert.Throws<ArgumentException>(() => badProvider.GetRequiredService<IChatClient>());
        Assert.StartsWith("Strategy 'least-in-flight' names target 'ghost', which is not a configured target (known targets: a).", ex.Message, StringComparison.Ordinal);
    }
}
