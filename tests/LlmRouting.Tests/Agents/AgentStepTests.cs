using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using LlmRouting.Agents;

namespace LlmRouting.Tests.Agents;

public sealed class AgentStepTests
{
    private static readonly AITool Tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

    public static List<ChatMessage> ToolLoop(int steps, string question = "What is the weather in Paris?")
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are an agent."), new(ChatRole.User, question) };
        for (int i = 0; i < steps; i++)
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call-{i}", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]));
            messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"call-{i}", "sunny")]));
        }

        return messages;
    }

    [Fact]
    public void TheRequestView_ReadsStepKindIndexAndRole()
    {
        var tools = new ChatOptions { Tools = [Tool], AdditionalProperties = new() { [RequestMetadataKeys.AgentRole] = "planner" } };

        var user = new RoutingRequest(ToolLoop(0), tools);
        var continuation = new RoutingRequest(ToolLoop(2), tools);
        var final = new RoutingRequest(ToolLoop(2), new ChatOptions { Tools = [Tool], ToolMode = ChatToolMode.None });
        var noTools = new RoutingRequest(ToolLoop(1));

        Assert.Equal((StepKind.UserTurn, 1, "planner"), (user.StepKind, user.StepIndex, user.AgentRole));
        Assert.Equal((StepKind.ToolContinuation, 3), (continuation.StepKind, continuation.StepIndex));
        Assert.Equal(StepKind.FinalAnswer, final.StepKind);
        Assert.Equal(StepKind.FinalAnswer, noTools.StepKind);
        Assert.Null(noTools.AgentRole);
    }

    [Fact]
    public async Task Rules_RouteByStepKindAndAgentRole()
    {
        using var router = new AgentTestRouter(b => b.UseRules(r => r
            .WhenAgentRole("planner").RouteTo("premium")
            .WhenStep(StepKind.ToolContinuation).RouteTo("premium")));
        var tools = new ChatOptions { Tools = [Tool] };
        var planner = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.AgentRole] = "Planner" } };

        Assert.Equal("economy", (await router.Router.DecideAsync(ToolLoop(0), tools)).Target);
        Assert.Equal("premium", (await router.Router.DecideAsync(ToolLoop(1), tools)).Target);
        Assert.Equal("premium", (await router.Router.DecideAsync(ToolLoop(0), planner)).Target);
    }

    [Fact]
    public async Task ToolResultSteps_GoToTheConfiguredDefault_WhenNoStrategyDecides()
    {
        using var router = new AgentTestRouter(b => b.Default("premium").UseAgentSessions(o => o.ToolResultTarget = "economy"));
        var tools = new ChatOptions { Tools = [Tool] };

        RouteInfo user = await router.Router.DecideAsync(ToolLoop(0), tools);
        RouteInfo continuation = await router.Router.DecideAsync(ToolLoop(1), tools);

        Assert.Equal("premium", user.Target);
        Assert.Equal("economy", continuation.Target);
        Assert.Equal(AgentSessions.ToolStepStrategy, continuation.Strategy);
    }

    [Fact]
    public async Task RuleOptions_BindStepKindsAndRolesFromConfiguration()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouting:Targets:0:Name"] = "economy",
            ["LlmRouting:Targets:1:Name"] = "premium",
            ["LlmRouting:Default"] = "economy",
            ["LlmRouting:Rules:0:Target"] = "premium",
            ["LlmRouting:Rules:0:StepKinds:0"] = "ToolContinuation",
            ["LlmRouting:Rules:0:AgentRoles:0"] = "coder",
        }).Build();
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient(), t => t.Supports(ModelCapabilities.Tools))
            .AddTarget("premium", new TestChatClient(), t => t.Supports(ModelCapabilities.Tools))
            .BindConfiguration(config.GetSection("LlmRouting"))
            .Build();
        var coder = new ChatOptions { Tools = [Tool], AdditionalProperties = new() { [RequestMetadataKeys.AgentRole] = "coder" } };

        Assert.Equal("premium", (await router.DecideAsync(ToolLoop(1), coder)).Target);
        Assert.Equal("economy", (await router.DecideAsync(ToolLoop(0), coder)).Target);
    }
}
