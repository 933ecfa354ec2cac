using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using LlmRouting.Accounting;
using LlmRouting.Agents;

namespace LlmRouting.Tests.Agents;

public sealed class LoopDetectionTests
{
    private static readonly AITool Tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

    /// <summary>A model that always asks for the same tool call.</summary>
    private static void AlwaysCallTheTool(TestChatClient client) =>
        client.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
            [new FunctionCallContent(Guid.NewGuid().ToString("N"), "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]))
        {
            Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 20 },
        });

    private static async Task<ChatResponse> RunAgentAsync(IChatClient router, ChatOptions options, int maxIterations = 20)
    {
        using var agent = new FunctionInvokingChatClient(router) { MaximumIterationsPerRequest = maxIterations };
        return await agent.GetResponseAsync("What is the weather in Paris?", options);
    }

    [Fact]
    public async Task RepeatedIdenticalToolCalls_Throw_WithTheEvidence_AndTheAuditSeesIt()
    {
        var sink = new List<RouteAuditRecord>();
        using var router = new AgentTestRouter(b => b.UseLoopDetection(o => o.MaxIdenticalToolCalls = 3).UseAudit(new ListSink(sink)));
        AlwaysCallTheTool(router.Economy);

        var error = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => RunAgentAsync(router.Router, new ChatOptions { Tools = [Tool] }));

        Assert.Equal(LoopLimit.IdenticalToolCalls, error.Evidence!.Limit);
        Assert.Equal(4, error.Evidence.Observed);
        Assert.Equal("get_weather", error.Evidence.Function);
        Assert.Equal(4, router.Economy.Calls);
        Assert.DoesNotContain("Paris", error.Message, StringComparison.Ordinal);
        RouteAuditRecord refused = sink[^1];
        Assert.Equal(RouteOutcome.Failed, refused.Outcome);
        Assert.Equal(LoopLimit.IdenticalToolCalls, refused.LoopDetected!.Limit);
        Assert.Empty(refused.Attempts);
        Assert.Equal(error.RouteId, refused.RouteId);
    }

    [Fact]
    public async Task Downgrade_SendsTheTrippedCallToTheCheapestTarget()
    {
        using var router = new AgentTestRouter(b => b.Default("premium").UseLoopDetection(o =>
        {
            o.MaxStepsPerTurn = 2;
            o.MaxIdenticalToolCalls = null;
            o.OnTrip = LoopAction.Downgrade;
        }));
        AlwaysCallTheTool(router.Premium);

        await RunAgentAsync(router.Router, new ChatOptions { Tools = [Tool] }, maxIterations: 4);

        RouteInfo[] routes = [.. router.Observer.Routes];
        Assert.Equal(["premium", "premium", "economy"], routes.Select(r => r.Target)); // the economy fake answers: the loop ends
        Assert.Equal(LoopLimit.StepsPerTurn, routes[2].LoopDetected!.Limit);
        Assert.Equal(AgentSessions.LoopStrategy, routes[2].Strategy);
    }

    [Fact]
    public async Task SpendPerSession_TripsAcrossTurns()
    {
        using var router = new AgentTestRouter(b => b.UseLoopDetection(o => o.MaxSpendPerSession = 0.0008m));
        ChatOptions options = AgentTestRouter.Session("spender");
        var history = new List<ChatMessage>();

        await router.SendAsync(history, "one", options);
        await router.SendAsync(history, "two", options);
        var error = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => router.SendAsync(history, "three", options));

        Assert.Equal(LoopLimit.SpendPerSession, error.Evidence!.Limit);
        Assert.Equal("spender", error.Session);
        Assert.Equal(2, router.Economy.Calls);
    }

    [Fact]
    public void BadLimits_FailTheBuild_NamingTheField()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient())
            .Default("economy")
            .UseLoopDetection(o => o.MaxStepsPerTurn = 0)
            .Build());

        Assert.Contains("LlmRouting:LoopDetection:MaxStepsPerTurn must be at least 1 (was 0)", error.Message, StringComparison.Ordinal);
    }

    private sealed class ListSink(List<RouteAuditRecord> records) : IRouteAuditSink
    {
        public void Write(RouteAuditRecord record) => records.Add(record);
    }
}
