using Microsoft.Extensions.AI;
using NSubstitute;

namespace LlmRouting.Tests;

public class StrategyChainTests
{
    private static IRoutingStrategy Strategy(string name, Func<RouteCandidates, RouteDecision?> decide)
    {
        IRoutingStrategy strategy = Substitute.For<IRoutingStrategy>();
        strategy.Name.Returns(name);
        strategy.DecideAsync(Arg.Any<RoutingRequest>(), Arg.Any<RouteCandidates>(), Arg.Any<CancellationToken>())
            .Returns(call => new ValueTask<RouteDecision?>(decide(call.ArgAt<RouteCandidates>(1))));
        return strategy;
    }

    [Fact]
    public async Task StrategiesRunInOrder_UntilOneDecides()
    {
        IRoutingStrategy first = Strategy("first", _ => null);
        IRoutingStrategy second = Strategy("second", c => RouteDecision.To(c.Find("premium")!, "second", "because"));
        IRoutingStrategy third = Strategy("third", c => RouteDecision.To(c.Find("economy")!, "third", "never"));
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy", [first, second, third]);

        ChatResponse response = await router.GetResponseAsync("hello");

        RouteInfo route = response.GetRouteInfo()!;
        Assert.Equal("premium", route.Target);
        Assert.Equal("second", route.Strategy);
        Assert.Equal("because", route.Reason);
        await first.Received(1).DecideAsync(Arg.Any<RoutingRequest>(), Arg.Any<RouteCandidates>(), Arg.Any<CancellationToken>());
        await third.DidNotReceive().DecideAsync(Arg.Any<RoutingRequest>(), Arg.Any<RouteCandidates>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task EveryStrategyAbstains_TheDefaultTargetServes()
    {
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy", [Strategy("a", _ => null), Strategy("b", _ => null)]);

        RouteInfo route = (await router.GetResponseAsync("hello")).GetRouteInfo()!;

        Assert.Equal("economy", route.Target);
        Assert.Equal("default", route.Strategy);
        Assert.Equal("default target", route.Reason);
    }

    [Fact]
    public async Task AsynchronousStrategies_AreAwaitedInOrder()
    {
        var order = new List<string>();
        var slow = new DelegateStrategy("slow", async (_, _, ct) =>
        {
            await Task.Yield();
            order.Add("slow");
            return null;
        });
        var decider = new DelegateStrategy("decider", async (_, c, ct) =>
        {
            await Task.Yield();
            order.Add("decider");
            return RouteDecision.To(c.Find("premium")!, "decider", "async");
        });
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy", [slow, decider]);

        RouteInfo route = (await router.GetResponseAsync("hello")).GetRouteInfo()!;

        Assert.Equal(["slow", "decider"], order);
        Assert.Equal("premium", route.Target);
    }

    [Fact]
    public async Task ADecisionForANonCandidate_IsIgnored_SoNoStrategyCanBypassAFilter()
    {
        // The request needs vision; economy lacks it. A buggy strategy insists on economy.
        RouteTarget economy = Targets.Economy();
        IRoutingStrategy rogue = Strategy("rogue", _ => RouteDecision.To(economy, "rogue", "ignores filters"));
        var registry = new TargetRegistry([Targets.Premium(), economy]);
        using var router = new LlmRouterChatClient(registry, "premium", [rogue]);
        var message = new ChatMessage(ChatRole.User, [new TextContent("What is in this picture?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        RouteInfo route = (await router.GetResponseAsync([message])).GetRouteInfo()!;

        Assert.Equal("premium", route.Target);
        Assert.Equal("default", route.Strategy);
    }

    [Fact]
    public async Task DefaultTargetFilteredOut_TheCheapestLowestTierCandidateServes()
    {
        var registry = new TargetRegistry([Targets.Premium(), Targets.Economy(), Targets.OnPrem()]);
        using var router = new LlmRouterChatClient(registry, "on-prem");

        // 10 000 tokens: too big for on-prem (8 192), fits economy (16 000) and premium.
        RouteInfo route = (await router.GetResponseAsync(new string('x', 40_000))).GetRouteInfo()!;

        Assert.Equal("economy", route.Target);
        Assert.Equal("default target 'on-prem' cannot serve this request; cheapest candidate", route.Reason);
        Assert.Contains(route.Rejections, r => r.Target == "on-prem" && r.Filter == "context-window");
    }

    [Fact]
    public async Task CallerOptions_AreNeverMutated()
    {
        var premium = new TestChatClient("premium");
        var registry = new TargetRegistry([Targets.Premium(premium), Targets.Economy()]);
        using var router = new LlmRouterChatClient(registry, "premium");
        var options = new ChatOptions { ModelId = "caller-model", Temperature = 0.2f, AdditionalProperties = new() { ["tier"] = "pro" } };

        await router.GetResponseAsync("hello", options);
        await foreach (ChatResponseUpdate _ in router.GetStreamingResponseAsync("hello", options))
        {
        }

        Assert.Equal("caller-model", options.ModelId);
        Assert.Equal(0.2f, options.Temperature);
        Assert.Single(options.AdditionalProperties);
        Assert.Equal("gpt-premium", premium.LastOptions!.ModelId);
        Assert.NotSame(options, premium.LastOptions);
        Assert.Equal(0.2f, premium.LastOptions.Temperature);
    }

    [Fact]
    public async Task TargetWithoutModelId_NeverReceivesTheCallersModelId_ItWasNotPricedForIt()
    {
        var economy = new TestChatClient("economy");
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Economy(economy)]), "economy");

        await router.GetResponseAsync("hello", new ChatOptions { ModelId = "caller-model" });

        Assert.Null(economy.LastOptions!.ModelId);
    }

    [Fact]
    public async Task DecideAsync_IsADryRun()
    {
        var premium = new TestChatClient("premium");
        var economy = new TestChatClient("economy");
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Premium(premium), Targets.Economy(economy)]), "economy");

        RouteInfo route = await router.DecideAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("economy", route.Target);
        Assert.Equal(RouteOutcome.Pending, route.Outcome);
        Assert.Equal(0, premium.Calls + economy.Calls);
        Assert.Equal(32, route.RouteId.Length);
    }

    [Fact]
    public async Task CallerCancellation_EndsTheRequest_AndIsRecordedAsCanceled()
    {
        var economy = new TestChatClient("economy")
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        var observer = new RecordingObserver();
        var options = new LlmRouterChatClientOptions();
        options.Observers.Add(observer);
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Economy(economy)]), "economy", options: options);
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> pending = router.GetResponseAsync("hello", cancellationToken: cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Canceled, route.Outcome);
        Assert.Equal(RouteAttemptOutcome.Canceled, Assert.Single(route.Attempts).Outcome);
    }

    [Fact]
    public async Task TargetFailure_PropagatesToTheCaller_AndObserversSeeIt()
    {
        var economy = new TestChatClient("economy") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("boom") };
        var observer = new RecordingObserver();
        var options = new LlmRouterChatClientOptions();
        options.Observers.Add(observer);
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Economy(economy)]), "economy", options: options);

        await Assert.ThrowsAsync<HttpRequestException>(() => router.GetResponseAsync("hello"));

        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Failed, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Failed, attempt.Outcome);
        Assert.Equal(nameof(HttpRequestException), attempt.Error);
    }

    [Fact]
    public async Task AThrowingObserver_DoesNotFailTheRequest()
    {
        IRouteObserver broken = Substitute.For<IRouteObserver>();
        broken.When(o => o.OnRouteCompleted(Arg.Any<RouteInfo>())).Do(_ => throw new InvalidOperationException("observer bug"));
        var options = new LlmRouterChatClientOptions();
        options.Observers.Add(broken);
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy", options: options);

        ChatResponse response = await router.GetResponseAsync("hello");

        Assert.Equal("economy answers", response.Text);
    }

    [Fact]
    public void GetService_AnswersRouterRegistryMetadataAndTargets()
    {
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy");

        Assert.Same(router, router.GetService<LlmRouterChatClient>());
        Assert.Same(router, router.GetService<RoutingChatClient>());
        Assert.Same(router.Registry, router.GetService<TargetRegistry>());
        ChatClientMetadata metadata = router.GetService<ChatClientMetadata>()!;
        Assert.Equal("llmrouting", metadata.ProviderName);
        Assert.Null(metadata.DefaultModelId); // the model is chosen per request: a span above the router is not named after the default
        Assert.Equal("premium", router.GetService<RouteTarget>("premium")!.Name);
        Assert.IsType<TestChatClient>(router.GetService<TestChatClient>("premium"));
        Assert.Null(router.GetService<TestChatClient>("unknown"));
    }

    [Fact]
    public void Dispose_DisposesTargets_UnlessLeftOpen()
    {
        var owned = new TestChatClient("economy");
        new LlmRouterChatClient(new TargetRegistry([Targets.Economy(owned)]), "economy").Dispose();
        Assert.True(owned.Disposed);

        var shared = new TestChatClient("economy");
        new LlmRouterChatClient(new TargetRegistry([Targets.Economy(shared)]), "economy", options: new LlmRouterChatClientOptions { LeaveOpen = true }).Dispose();
        Assert.False(shared.Disposed);
    }

    [Fact]
    public void Constructor_RejectsUnknownDefaultAndBaseline()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LlmRouterChatClient(Targets.Registry(), "nope"));
        Assert.StartsWith("The default target 'nope' is not one of the targets (premium, economy).", ex.Message, StringComparison.Ordinal);
        var ex2 = Assert.Throws<ArgumentException>(() => new LlmRouterChatClient(Targets.Registry(), "economy", options: new LlmRouterChatClientOptions { Baseline = "gone" }));
        Assert.StartsWith("The baseline target 'gone' is not one of the targets", ex2.Message, StringComparison.Ordinal);
    }

    private sealed class DelegateStrategy(string name, Func<RoutingRequest, RouteCandidates, CancellationToken, Task<RouteDecision?>> decide) : IRoutingStrategy
    {
        public string Name => name;

        public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken) =>
            new(decide(request, candidates, cancellationToken));
    }
}
