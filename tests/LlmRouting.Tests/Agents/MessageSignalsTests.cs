using Microsoft.Extensions.AI;
using LlmRouting.Analysis;

namespace LlmRouting.Tests.Agents;

public sealed class MessageSignalsTests
{
    private const string Card = "4111 1111 1111 1111";

    [Fact]
    public void AStepReusingTheHistory_ReadsTheSameAsAFreshCopy()
    {
        List<ChatMessage> history = AgentStepTests.ToolLoop(10, "Explain why the proof fails if n is odd, step by step.");
        RequestAnalysis warm = new RoutingRequest(history).Analysis;
        RequestAnalysis again = new RoutingRequest(history).Analysis;
        RequestAnalysis fresh = new RoutingRequest(history.Select(m => m.Clone()).ToList()).Analysis;

        Assert.Equal(fresh.ToString(), again.ToString());
        Assert.Equal(fresh.Complexity, again.Complexity);
        Assert.Equal(fresh.PremiumNeed, again.PremiumNeed);
        Assert.Equal(warm.Words, again.Words);
    }

    [Fact]
    public void PersonalDataEditedIntoAnEarlierMessage_IsStillFound()
    {
        List<ChatMessage> history = AgentStepTests.ToolLoop(3);
        Assert.False(new RoutingRequest(history).Analysis.HasPii);

        // Text replaced in place, a part added, a tool result replaced, a mutable argument changed in place.
        ((TextContent)history[1].Contents[0]).Text = $"Pay with {Card}";
        Assert.True(new RoutingRequest(history).Analysis.HasPii);
        ((TextContent)history[1].Contents[0]).Text = "What is the weather?";
        Assert.False(new RoutingRequest(history).Analysis.HasPii);

        history[3].Contents.Add(new TextContent($"card {Card}"));
        Assert.True(new RoutingRequest(history).Analysis.HasPii);
        history[3].Contents.RemoveAt(history[3].Contents.Count - 1);

        ((FunctionResultContent)history[5].Contents[0]).Result = $"billed to {Card}";
        Assert.True(new RoutingRequest(history).Analysis.HasPii);
        ((FunctionResultContent)history[5].Contents[0]).Result = "sunny";

        var nested = new Dictionary<string, object?> { ["note"] = "none" };
        history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("x", "save", new Dictionary<string, object?> { ["data"] = nested })]));
        Assert.False(new RoutingRequest(history).Analysis.HasPii);
        nested["note"] = Card;
        Assert.True(new RoutingRequest(history).Analysis.HasPii);
    }
}
