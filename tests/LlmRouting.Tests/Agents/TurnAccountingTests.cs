using Microsoft.Extensions.AI;
using LlmRouting.Accounting;
using LlmRouting.Agents;

namespace LlmRouting.Tests.Agents;

public sealed class TurnAccountingTests
{
    private static readonly AITool Tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

    /// <summary>Asks for the tool <paramref name="calls"/> times, then answers.</summary>
    private static void CallToolThenAnswer(TestChatClient client, int calls)
    {
        int n = 0;
        client.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Interlocked.Increment(ref n) <= calls
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{n}", "get_weather", new Dictionary<string, object?> { ["city"] = $"city-{n}" })]))
            {
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 10 },
            }
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "It is sunny."))
            {
                Usage = new UsageDetails { InputTokenCount = 2000, OutputTokenCount = 50 },
            });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheFinalResponse_CoversEveryStepOfTheTurn(bool withSession)
    {
        var ledger = new InMemoryRoutingLedger();
        using var router = new AgentTestRouter(b => b.UseAgentSessions().UseLedger(ledger));
        CallToolThenAnswer(router.Economy, calls: 2);
        var options = new ChatOptions { Tools = [Tool] };
        if (withSession)
        {
            AgentTestRouter.Session("turns", options);
        }

        using var agent = new FunctionInvokingChatClient(router.Router);
        ChatResponse response = await agent.GetResponseAsync("What is the weather?", options);

        RouteInfo route = response.GetRouteInfo()!;
        RouteTurnInfo turn = route.Turn!;
        decimal perCall = ((1000 * 0.15m) + (10 * 0.60m)) / 1_000_000m;
        decimal answer = ((2000 * 0.15m) + (50 * 0.60m)) / 1_000_000m;
        Assert.Equal(3, turn.Steps);
        Assert.Equal(3, route.StepIndex);
        Assert.Equal((2 * perCall) + answer, turn.Cost);
        Assert.Equal(4000, turn.Usage.InputTokenCount);
        Assert.Equal(["economy", "economy", "economy"], turn.Targets);
        Assert.Equal(answer, route.Cost);
        if (withSession)
        {
            RoutingLedgerTotals session = ledger.GetSessionTotals("turns")!;
            Assert.Equal(3, session.Requests);
            Assert.Equal(turn.Cost, session.Cost);
        }
        else
        {
            Assert.Null(route.Session);
        }
    }

    [Fact]
    public async Task ANewUserTurn_StartsNewTurnTotals_WhileTheSessionKeepsAddingUp()
    {
        using var router = new AgentTestRouter(b => b.UseAgentSessions());
        ChatOptions options = AgentTestRouter.Session("two-turns");
        var history = new List<ChatMessage>();

        RouteInfo first = await router.SendAsync(history, "one", options);
        RouteInfo second = await router.SendAsync(history, "two", options);

        Assert.Equal(1, second.Turn!.Steps);
        Assert.Equal(first.Cost, second.Turn.Cost);
        Assert.Equal(2, second.Turn.SessionTurns);
        Assert.Equal(first.Cost + second.Cost, second.Turn.SessionCost);
    }
}
