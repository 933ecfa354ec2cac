using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using LlmRouting.Agents;
using LlmRouting.Learning;
using LlmRouting.Telemetry;
using LlmRouting.Statistics;

namespace LlmRouting.Tests.Agents;

/// <summary>What conversation affinity and loop detection guarantee: the order of the checks, what counts as a step, and where a conversation may go.</summary>
public sealed class AgentGuaranteesTests
{
    private static readonly AITool Tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

    [Fact]
    public async Task ACallersPin_WinsOverStayAffinity()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity());
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("pin-1");

        RouteInfo first = await router.SendAsync(history, "a hard question", options);
        options.ModelId = "economy";
        RouteInfo pinned = await router.SendAsync(history, "and now a cheap one", options);

        Assert.Equal("premium", first.Target);
        Assert.Equal("economy", pinned.Target);
        Assert.Equal(RouterState.PinnedStrategyName, pinned.Strategy);
        Assert.Equal(2, pinned.Turn!.SessionSteps);
    }

    [Fact]
    public async Task ACallersPin_IsNotReorderedByStayOrEscalate()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity(o => o.Mode = ConversationAffinityMode.StayOrEscalate));
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("pin-2");

        await router.SendAsync(history, "a hard question", options);
        options.ModelId = "economy";
        RouteInfo pinned = await router.SendAsync(history, "and now a cheap one", options);

        Assert.Equal("economy", pinned.Target);
        Assert.Equal(RouterState.PinnedStrategyName, pinned.Strategy);
    }

    [Fact]
    public async Task ACallersPin_ToAnotherTarget_IsRefusedForAProviderStateConversation_AndIsNotAStep()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity());
        var options = new ChatOptions { ConversationId = "conv-pin" };

        await router.Router.GetResponseAsync("a hard question", options);
        options.ModelId = "economy";
        var error = await Assert.ThrowsAsync<NoRouteAvailableException>(() => router.Router.GetResponseAsync("cheap please", options));
        options.ModelId = "premium";
        RouteInfo same = (await router.Router.GetResponseAsync("on premium then", options)).GetRouteInfo()!;

        Assert.Contains("pins target 'economy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowProviderStateMove", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, router.Economy.Calls);
        Assert.Equal("premium", same.Target);
        Assert.Equal(2, same.Turn!.SessionSteps);   // the refused call was not a step
        Assert.Equal(2, same.Turn.SessionTurns);
    }

    [Fact]
    public async Task ADryRunDecision_IsNotCountedAsAStep()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity().UseLoopDetection(o => o.MaxStepsPerSession = 1));
        ChatOptions options = AgentTestRouter.Session("dry-1");
        var history = new List<ChatMessage> { new(ChatRole.User, "a hard question") };

        RouteInfo decided = await router.Router.DecideAsync(history, options);
        await router.Router.DecideAsync(history, options);
        RouteInfo served = (await router.Router.GetResponseAsync(history, options)).GetRouteInfo()!;

        Assert.Equal("premium", decided.Target);
        Assert.Null(served.LoopDetected);   // two dry runs did not use up the one step allowed
        Assert.Equal((1, 1, 1), (served.Turn!.Steps, served.Turn.SessionSteps, served.Turn.SessionTurns));
        Assert.Equal(1, router.Premium.Calls);
    }

    [Fact]
    public async Task LoopDetection_StillAppliesToAPinnedCall()
    {
        using var router = new AgentTestRouter(b => b.UseLoopDetection(o =>
        {
            o.MaxStepsPerSession = 1;
            o.OnTrip = LoopAction.Downgrade;
        }));
        ChatOptions options = AgentTestRouter.Session("pin-3", new ChatOptions { ModelId = "premium" });
        var history = new List<ChatMessage>();

        RouteInfo first = await router.SendAsync(history, "one", options);
        RouteInfo second = await router.SendAsync(history, "two", options);

        Assert.Equal(("premium", RouterState.PinnedStrategyName), (first.Target, first.Strategy));
        Assert.Equal(("economy", AgentSessions.LoopStrategy), (second.Target, second.Strategy));
        Assert.Equal(LoopLimit.StepsPerSession, second.LoopDetected!.Limit);
    }

    [Fact]
    public async Task ARefusedLoopCall_IsNotCountedAsAStep_AndIsCountedInMetrics()
    {
        using var loops = new MetricCollector<long>(null, LlmRoutingTelemetry.MeterName, "llmrouting.agent.loops");
        using var router = new AgentTestRouter(b => b.UseTelemetry().UseLoopDetection(o => o.MaxStepsPerSession = 2));
        ChatOptions options = AgentTestRouter.Session("refused-1");
        var history = new List<ChatMessage>();

        await router.SendAsync(history, "one", options);
        await router.SendAsync(history, "two", options);
        await Assert.ThrowsAsync<AgentLoopDetectedException>(() => router.SendAsync(history, "three", options));
        var again = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => router.SendAsync(history, "four", options));

        RouteInfo refused = router.Observer.Routes.Last();
        Assert.Equal(3, again.Evidence!.Observed);   // two steps served, and this one: refused calls did not add up
        Assert.Equal(2, refused.Turn!.SessionSteps);
        Assert.Equal(2, router.Economy.Calls);
        CollectedMeasurement<long>[] counted = [.. loops.GetMeasurementSnapshot().Where(m => Equals(m.Tags[RoutingTags.LoopLimit], nameof(LoopLimit.StepsPerSession)))];
        Assert.True(counted.Length >= 2, $"two trips counted, saw {counted.Length}");
        Assert.All(counted, m => Assert.Equal(nameof(LoopAction.Throw), m.Tags[RoutingTags.LoopAction]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AProviderStateConversation_DoesNotFallOverToAnotherTarget(bool providerState)
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity().UseFallback(o => o.UseTargetResilience = false));
        ChatOptions options = providerState ? new ChatOptions { ConversationId = "conv-fo" } : AgentTestRouter.Session("plain-fo");

        await router.Router.GetResponseAsync("a hard question", options);
        router.Premium.GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down", null, System.Net.HttpStatusCode.ServiceUnavailable);
        Task<ChatResponse> next = router.Router.GetResponseAsync("and again", options);

        if (providerState)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => next);
            Assert.Equal(0, router.Economy.Calls);
        }
        else
        {
            Assert.Equal("economy", (await next).GetRouteInfo()!.Target);   // a session without provider state may fall over
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AProviderStateConversation_IsNotEscalatedToAnotherTarget(bool providerState)
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity().UseFallback(o => o.UseTargetResilience = false).UseEscalation());
        ChatOptions options = providerState ? new ChatOptions { ConversationId = "conv-esc" } : AgentTestRouter.Session("plain-esc");

        await router.Router.GetResponseAsync("what about lunch?", options);
        router.Economy.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Empty)) { FinishReason = ChatFinishReason.Stop });
        RouteInfo second = (await router.Router.GetResponseAsync("and dinner?", options)).GetRouteInfo()!;

        Assert.Equal(providerState ? "economy" : "premium", second.Target);   // an empty answer escalates, unless the conversation cannot move
        Assert.Equal(providerState ? 0 : 1, router.Premium.Calls);
    }

    [Fact]
    public async Task AProviderStateConversation_IsRefused_RatherThanDowngradedToAnotherTarget()
    {
        using var router = new AgentTestRouter(b => b
            .UseConversationAffinity()
            .UseLoopDetection(o =>
            {
                o.MaxStepsPerSession = 1;
                o.OnTrip = LoopAction.Downgrade;
            }));
        var options = new ChatOptions { ConversationId = "conv-down" };

        await router.Router.GetResponseAsync("a hard question", options);
        var error = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => router.Router.GetResponseAsync("more", options));

        Assert.Equal(LoopAction.Throw, error.Evidence!.Action);
        Assert.Equal(0, router.Economy.Calls);
    }

    [Fact]
    public async Task ToolResultSteps_GoToTheConfiguredDefault_WhileUserTurnsDoNot()
    {
        using var router = new AgentTestRouter(b => b.Default("premium").UseAgentSessions(o => o.ToolResultTarget = "economy"));
        router.Premium.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
            [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })])));
        using var agent = new FunctionInvokingChatClient(router.Router);

        await agent.GetResponseAsync("What is the weather in Oslo?", new ChatOptions { Tools = [Tool] });

        RouteInfo[] routes = [.. router.Observer.Routes];
        Assert.Equal(["premium", "economy"], routes.Select(r => r.Target));
        Assert.Equal([StepKind.UserTurn, StepKind.ToolContinuation], routes.Select(r => r.StepKind));
        Assert.Equal(AgentSessions.ToolStepStrategy, routes[1].Strategy);
    }

    [Fact]
    public async Task SharedState_IsWrittenWithTheSessionTimeToLive_AndSessionLimitsCountEveryInstance()
    {
        var store = new ExpiringStore();
        TimeSpan ttl = TimeSpan.FromMinutes(20);
        void Configure(LlmRouterBuilder b) => b
            .UseConversationAffinity()
            .UseAgentSessions(o => o.SessionTimeToLive = ttl)
            .UseLoopDetection(o => o.MaxStepsPerSession = 3)
            .Services.AddSingleton<IRoutingStatisticsStore>(store);
        using var a = new AgentTestRouter(Configure);
        using var b = new AgentTestRouter(Configure);
        ChatOptions options = AgentTestRouter.Session("shared-1");
        var history = new List<ChatMessage>();

        await a.SendAsync(history, "a hard question", options);   // premium, by rule
        await a.SendAsync(history, "two", options);
        RouteInfo third = await b.SendAsync(history, "three, on another instance", options);
        var error = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => b.SendAsync(history, "four", options));

        Assert.Equal("premium", third.Target);                      // the other instance's pin
        Assert.Equal(AgentSessions.AffinityStrategy, third.Strategy);
        Assert.Equal(LoopLimit.StepsPerSession, error.Evidence!.Limit);
        Assert.Equal(4, error.Evidence.Observed);                   // 3 calls everywhere, and this one
        Assert.NotEmpty(store.TimesToLive);
        Assert.All(store.TimesToLive, t => Assert.Equal(ttl, t));
        Assert.Equal(0, store.WritesWithoutTimeToLive);
        Assert.DoesNotContain(store.Keys, k => k.Contains("shared-1", StringComparison.Ordinal));   // a digest, never the id
    }

    [Fact]
    public async Task SharedState_IsWrittenOnlyForWhatAnotherInstanceReads()
    {
        var store = new ExpiringStore();
        using var accounting = new AgentTestRouter(b => b.UseAgentSessions().Services.AddSingleton<IRoutingStatisticsStore>(store));
        await accounting.SendAsync([], "hello", AgentTestRouter.Session("quiet-1"));
        Assert.Empty(store.Keys);   // per-turn accounting alone: nothing to share

        using var affinity = new AgentTestRouter(b => b.UseConversationAffinity().Services.AddSingleton<IRoutingStatisticsStore>(store));
        await affinity.SendAsync([], "hello", AgentTestRouter.Session("quiet-2"));
        Assert.All(store.Keys, k => Assert.StartsWith("affinity:", k, StringComparison.Ordinal));   // the pin, no counters
        Assert.NotEmpty(store.Keys);
    }

    /// <summary>A statistics store of another process (not the in-memory one, so the router shares through it) that records the time-to-live of each write.</summary>
    private sealed class ExpiringStore : IRoutingStatisticsStore
    {
        private readonly InMemoryRoutingStatisticsStore _inner = new();

        public System.Collections.Concurrent.ConcurrentQueue<TimeSpan> TimesToLive { get; } = new();

        public System.Collections.Concurrent.ConcurrentDictionary<string, bool> KeySet { get; } = new();

        public IEnumerable<string> Keys => KeySet.Keys;

        public int WritesWithoutTimeToLive { get; private set; }

        public ValueTask RecordAsync(string key, double value, CancellationToken cancellationToken = default)
        {
            WritesWithoutTimeToLive++;
            return _inner.RecordAsync(key, value, cancellationToken);
        }

        public ValueTask RecordAsync(string key, double value, TimeSpan timeToLive, CancellationToken cancellationToken = default)
        {
            TimesToLive.Enqueue(timeToLive);
            KeySet[key] = true;
            return _inner.RecordAsync(key, value, cancellationToken);
        }

        public ValueTask<IReadOnlyDictionary<string, RoutingStatistic>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) =>
            _inner.GetAsync(keys, cancellationToken);
    }
}
