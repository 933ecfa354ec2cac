using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using LlmRouting.Agents;

namespace LlmRouting.Tests.Agents;

public sealed class AgentConfigurationTests
{
    private static IConfiguration Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create<string, string?>("LlmRouting:" + v.Key, v.Value))).Build().GetSection("LlmRouting");

    [Fact]
    public async Task TheSections_AreBound_AndCodeRefinesThem()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient(), t => t.Tier(QualityTier.Economy))
            .AddTarget("premium", new TestChatClient(), t => t.Tier(QualityTier.Premium))
            .Default("economy")
            .BindConfiguration(Section(("ConversationAffinity:Mode", "StayOrEscalate"), ("LoopDetection:MaxStepsPerTurn", "7"), ("Agents:SessionMetadataKey", "chat")))
            .UseConversationAffinity()
            .UseLoopDetection(o => o.OnTrip = LoopAction.Downgrade)
            .Build();

        AgentSettings settings = GetAgents(router).Settings;
        Assert.Equal(ConversationAffinityMode.StayOrEscalate, settings.Affinity!.Mode);
        Assert.Equal(7, settings.Loop!.MaxStepsPerTurn);
        Assert.Equal(LoopAction.Downgrade, settings.Loop.OnTrip);
        RouteInfo route = await router.DecideAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { AdditionalProperties = new() { ["chat"] = "c-1" } });
        Assert.Equal("c-1", route.Session);
    }

    [Fact]
    public void AMisspeltKey_FailsTheBuild_NamingIt()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient())
            .Default("economy")
            .BindConfiguration(Section(("ConversationAffinity:Mod", "Stay")))
            .UseConversationAffinity()
            .Build());

        Assert.Contains("ConversationAffinity:Mod", error.Message, StringComparison.Ordinal);
    }

    private static AgentSessions GetAgents(LlmRouterChatClient router)
    {
        var state = typeof(LlmRouterChatClient).GetField("_state", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(router)!;
        return ((RouterState)state).Agents!;
    }
}
