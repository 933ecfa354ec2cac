using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using LlmRouting.Agents;

namespace LlmRouting.IntegrationTests;

/// <summary>Agent loops through MEAI's FunctionInvokingChatClient above the router, the official OpenAI client, and the loopback server.</summary>
public sealed class AgentIntegrationTests : IClassFixture<FakeOpenAIServerFixture>
{
    private const int PromptTokens = 400;
    private const int CallTokens = 12;
    private readonly FakeOpenAIServer _server;

    public AgentIntegrationTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Fact]
    public async Task AMultiStepToolTurn_StaysOnOneTarget_AndTheFinalRouteCoversTheWholeTurn()
    {
        _server.Intercept = (context, request) => ToolCallsUntil(context, request, toolResults: 2, sameCall: false);
        using ServiceProvider provider = BuildRouter(r => r.UseConversationAffinity());
        using IChatClient agent = new ChatClientBuilder(provider.GetRequiredService<IChatClient>()).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [Weather], AdditionalProperties = new() { [RequestMetadataKeys.Session] = "agent-1" } };

        ChatResponse response = await agent.GetResponseAsync("My service throws an exception: which city is failing? (turn-a)", options);

        RouteInfo route = Assert.IsType<RouteInfo>(response.GetRouteInfo());
        RouteTurnInfo turn = Assert.IsType<RouteTurnInfo>(route.Turn);
        Assert.Equal(3, turn.Steps);
        Assert.Equal(["premium", "premium", "premium"], turn.Targets);
        Assert.All(_server.Requests.Where(r => r.Body.Contains("turn-a", StringComparison.Ordinal)), r => Assert.Equal("gpt-premium-2025", r.Model));
        Assert.Equal(StepKind.ToolContinuation, route.StepKind);
        decimal toolStep = ((PromptTokens * 2.50m) + (CallTokens * 10m)) / 1_000_000m;
        Assert.Equal((2 * toolStep) + route.Cost, turn.Cost);
        Assert.Equal(turn.Cost, turn.SessionCost);
    }

    [Fact]
    public async Task ARunawayLoop_IsStopped_WithTheConfiguredException()
    {
        _server.Intercept = (context, request) => ToolCallsUntil(context, request, toolResults: int.MaxValue, sameCall: true);
        using ServiceProvider provider = BuildRouter(r => r.UseLoopDetection(o => o.MaxIdenticalToolCalls = 3));
        using IChatClient agent = new ChatClientBuilder(provider.GetRequiredService<IChatClient>()).UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = 50).Build();
        int before = _server.Requests.Count;

        var error = await Assert.ThrowsAsync<AgentLoopDetectedException>(() => agent.GetResponseAsync("Keep checking the weather (runaway)", new ChatOptions { Tools = [Weather] }));

        Assert.Equal(LoopLimit.IdenticalToolCalls, error.Evidence!.Limit);
        Assert.Equal("get_weather", error.Evidence.Function);
        Assert.Equal(4, _server.Requests.Count - before);
    }

    [Fact]
    public async Task AConversationWithAConversationId_NeverHops()
    {
        _server.Intercept = null;
        using ServiceProvider provider = BuildRouter(r => r.UseConversationAffinity(o => o.Mode = ConversationAffinityMode.StayOrEscalate));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        var options = new ChatOptions { ConversationId = "conv-42" };

        RouteInfo first = (await chat.GetResponseAsync("Here is a stack trace from production (conv-42)", options)).GetRouteInfo()!;
        RouteInfo second = (await chat.GetResponseAsync("Thanks! What are your opening hours? (conv-42)", options)).GetRouteInfo()!;
        RouteInfo third = (await chat.GetResponseAsync("And on Sundays? (conv-42)", new ChatOptions { ConversationId = "conv-42", AdditionalProperties = new() { ["tier"] = "free" } })).GetRouteInfo()!;

        Assert.Equal(["premium", "premium", "premium"], new[] { first.Target, second.Target, third.Target });
        Assert.Equal(0, third.Turn!.SessionSwitches);
        Assert.All(_server.Requests.Where(r => r.LastUserText.Contains("conv-42", StringComparison.Ordinal)), r => Assert.Equal("gpt-premium-2025", r.Model));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AConversationWithAConversationId_DoesNotFallOverToAnotherProvider_WhenItsTargetFails(bool providerState)
    {
        string tag = providerState ? "conv-77" : "session-77";
        _server.Intercept = async (context, request) =>
        {
            if (request.Model != "gpt-premium-2025" || !request.LastUserText.Contains("second", StringComparison.Ordinal) || !request.LastUserText.Contains(tag, StringComparison.Ordinal))
            {
                return false;
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("""{"error":{"message":"overloaded","type":"server_error"}}""");
            return true;
        };
        using ServiceProvider provider = BuildRouter(r => r.UseConversationAffinity().UseFallback(o => o.UseTargetResilience = false));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        ChatOptions options = providerState
            ? new ChatOptions { ConversationId = tag }
            : new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Session] = tag } };

        RouteInfo first = (await chat.GetResponseAsync($"Here is a stack trace ({tag})", options)).GetRouteInfo()!;
        Task<ChatResponse> second = chat.GetResponseAsync($"The second question ({tag})", options);

        Assert.Equal("premium", first.Target);
        if (providerState)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => second);   // another provider cannot continue the conversation
            Assert.DoesNotContain(_server.Requests, r => r.Model == "economy-mini" && r.LastUserText.Contains(tag, StringComparison.Ordinal));
        }
        else
        {
            RouteInfo moved = (await second).GetRouteInfo()!;
            Assert.Equal("economy", moved.Target);                   // a session without provider state falls over
            Assert.True(moved.IsFallback);
        }
    }

    [Fact]
    public async Task ToolResultSteps_GoToTheConfiguredDefaultTarget()
    {
        _server.Intercept = (context, request) => ToolCallsUntil(context, request, toolResults: 1, sameCall: false);
        using ServiceProvider provider = BuildRouter(r => r.UseAgentSessions(o => o.ToolResultTarget = "premium"));
        using IChatClient agent = new ChatClientBuilder(provider.GetRequiredService<IChatClient>()).UseFunctionInvocation().Build();

        ChatResponse response = await agent.GetResponseAsync("What is the weather like? (turn-tool-default)", new ChatOptions { Tools = [Weather] });

        RouteTurnInfo turn = response.GetRouteInfo()!.Turn!;
        Assert.Equal(["economy", "premium"], turn.Targets);   // the user turn by the default target, the tool-result step by the configured one
        Assert.Equal("tool-step-default", response.GetRouteInfo()!.Strategy);
        Assert.Equal(["economy-mini", "gpt-premium-2025"], _server.Requests.Where(r => r.Body.Contains("turn-tool-default", StringComparison.Ordinal)).Select(r => r.Model));
    }

    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Gets the weather for a city.");

    /// <summary>Answers with a tool call until the conversation holds <paramref name="toolResults"/> tool results, then lets the server answer.</summary>
    private static async Task<bool> ToolCallsUntil(HttpContext context, RecordedRequest request, int toolResults, bool sameCall)
    {
        JsonNode body = JsonNode.Parse(request.Body)!;
        int results = body["messages"]!.AsArray().Count(m => m?["role"]?.GetValue<string>() == "tool");
        if (results >= toolResults || body["tools"] is null)
        {
            return false;
        }

        string arguments = sameCall ? """{"city":"Paris"}""" : $$"""{"city":"city-{{results}}"}""";
        var completion = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = request.Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_" + results,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = arguments },
                    }),
                },
                ["finish_reason"] = "tool_calls",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CallTokens, ["total_tokens"] = PromptTokens + CallTokens },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completion.ToJsonString(), context.RequestAborted);
        return true;
    }

    private ServiceProvider BuildRouter(Action<LlmRouterBuilder> agents)
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", openAi.GetChatClient("gpt-premium").AsIChatClient());
        services.AddKeyedChatClient("economy", openAi.GetChatClient("economy-mini").AsIChatClient());
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", t => t.ModelId("gpt-premium-2025").Prices(input: 2.50m, output: 10m, cachedInput: 1.25m).ContextWindow(128_000).Supports(ModelCapabilities.Tools).Tier(QualityTier.Premium))
                .AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m).ContextWindow(16_000).Supports(ModelCapabilities.Tools).Tier(QualityTier.Economy))
                .UseRules(rules => rules
                    .When(req => req.Metadata("tier") == "free", "free-tier").RouteTo("economy")
                    .When(req => req.LastUserText.Contains("exception", StringComparison.OrdinalIgnoreCase) || req.LastUserText.Contains("stack trace", StringComparison.OrdinalIgnoreCase), "stack-trace").RouteTo("premium"))
                .Default("economy");
            agents(r);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
