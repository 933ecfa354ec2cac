using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using LlmRouting.Agents;
using LlmRouting.Filtering;
using LlmRouting.Costs;

namespace LlmRouting.Tests.Agents;

public sealed class ConversationAffinityTests
{
    [Fact]
    public async Task Stay_ASessionKeepsItsFirstTarget_WhenLaterTurnsWouldRouteElsewhere()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity());
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("s-1");

        RouteInfo first = await router.SendAsync(history, "a hard question", options);
        RouteInfo second = await router.SendAsync(history, "thanks, and what about lunch?", options);

        Assert.Equal("premium", first.Target);
        Assert.Equal("premium", second.Target);
        Assert.Equal(AgentSessions.AffinityStrategy, second.Strategy);
        Assert.Equal(0, second.Turn!.SessionSwitches);
        Assert.Equal(2, second.Turn.SessionTurns);
    }

    [Fact]
    public async Task WithoutAffinity_TheSameSessionHops_AndTheSwitchIsCounted()
    {
        using var router = new AgentTestRouter(b => b.UseAgentSessions());
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("s-2");

        await router.SendAsync(history, "a hard question", options);
        RouteInfo second = await router.SendAsync(history, "thanks, and what about lunch?", options);

        Assert.Equal("economy", second.Target);
        Assert.True(second.Turn!.IsSwitch);
        Assert.Equal(1, second.Turn.SessionSwitches);
    }

    [Fact]
    public async Task StayOrEscalate_MovesUpATier_ButNeverDown()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity(o => o.Mode = ConversationAffinityMode.StayOrEscalate));
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("s-3");

        RouteInfo easy = await router.SendAsync(history, "what about lunch?", options);
        RouteInfo hard = await router.SendAsync(history, "now a hard one", options);
        RouteInfo easyAgain = await router.SendAsync(history, "and lunch again?", options);

        Assert.Equal("economy", easy.Target);
        Assert.Equal("premium", hard.Target);
        Assert.Equal("rules", hard.Strategy);
        Assert.Equal("premium", easyAgain.Target);
        Assert.Equal(AgentSessions.AffinityStrategy, easyAgain.Strategy);
    }

    [Fact]
    public async Task Stay_MovesWhenTheTargetCanNoLongerServe()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity(), premiumHasTools: false);
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("s-4");

        await router.SendAsync(history, "a hard question", options);
        options.Tools = [AIFunctionFactory.Create(() => "ok", "check")];
        RouteInfo withTools = await router.SendAsync(history, "hard again, use the tool", options);

        Assert.Equal("economy", withTools.Target);
        Assert.True(withTools.Turn!.IsSwitch);
    }

    [Fact]
    public async Task ProviderState_NeverMoves_TheCallFailsNamingWhy()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity(), premiumHasTools: false);
        var options = new ChatOptions { ConversationId = "conv-42" };

        RouteInfo first = (await router.Router.GetResponseAsync("a hard question", options)).GetRouteInfo()!;
        options.Tools = [AIFunctionFactory.Create(() => "ok", "check")];
        var error = await Assert.ThrowsAsync<NoRouteAvailableException>(() => router.Router.GetResponseAsync("use the tool", options));

        Assert.Equal("premium", first.Target);
        Assert.Contains("provider-side state", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowProviderStateMove", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, router.Premium.Calls);
        Assert.Equal(0, router.Economy.Calls);
    }

    [Fact]
    public async Task ProviderState_MovesWhenConfigured()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity(o => o.AllowProviderStateMove = true), premiumHasTools: false);
        var options = new ChatOptions { ConversationId = "conv-43" };

        await router.Router.GetResponseAsync("a hard question", options);
        options.Tools = [AIFunctionFactory.Create(() => "ok", "check")];
        RouteInfo moved = (await router.Router.GetResponseAsync("use the tool", options)).GetRouteInfo()!;

        Assert.Equal("economy", moved.Target);
    }

    [Fact]
    public async Task CostAware_CountsTheCachedPrefixOfTheConversationsTarget()
    {
        using var router = new AgentTestRouter(b => b.UseConversationAffinity(o => o.Mode = ConversationAffinityMode.StayOrEscalate));
        var history = new List<ChatMessage>();
        ChatOptions options = AgentTestRouter.Session("s-5");
        await router.SendAsync(history, "a hard question", options);
        history.Add(new ChatMessage(ChatRole.User, "next"));

        var request = new RoutingRequest(history, options);
        RouteInfo decided = await router.Router.DecideAsync(history, options);
        RouteTarget premium = router.Router.Registry["premium"];

        Assert.NotNull(decided.Request.Agent!.Pinned);
        decimal staying = Costs.RoutingCost.Estimate(decided.Request, premium.Profile, 100);
        decimal cold = Costs.RoutingCost.Estimate(request, premium.Profile, 100);
        Assert.True(staying < cold, $"staying {staying} should cost less than a cold start {cold}");
    }

    [Fact]
    public void Sessions_AreBoundedInNumber_AndExpire()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var table = new SessionTable(time);
        for (int i = 0; i < 50; i++)
        {
            table.Touch($"s{i}", TimeSpan.FromMinutes(5), maxSessions: 20);
        }

        Assert.InRange(table.Count, 1, 20);
        SessionState kept = table.Touch("s49", TimeSpan.FromMinutes(5), 20);
        kept.BeginStep(newTurn: true);
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, table.Touch("s49", TimeSpan.FromMinutes(5), 20).Turns);
    }

    [Fact]
    public void BadSettings_FailTheBuild_NamingTheField()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient())
            .Default("economy")
            .UseAgentSessions(o => o.ToolResultTarget = "nowhere")
            .Build());
        Assert.Contains("LlmRouting:Agents:ToolResultTarget names 'nowhere'", error.Message, StringComparison.Ordinal);

        var ttl = Assert.Throws<OptionsValidationException>(() => new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient())
            .Default("economy")
            .UseAgentSessions(o => o.SessionTimeToLive = TimeSpan.Zero)
            .Build());
        Assert.Contains("LlmRouting:Agents:SessionTimeToLive must be positive", ttl.Message, StringComparison.Ordinal);
    }
}
