using System.Buffers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;

namespace LlmRouting.Tests.Agents;

/// <summary>
/// An agent's later steps reuse what was read in the unchanged history (<see cref="HistoryMemo"/>): the token estimate,
/// the signals and the rule text matches equal a fresh reading of a copy at every step, and any change to an old message
/// — text replaced, a part replaced or added, a message swapped, a mutable part edited in place — is noticed.
/// </summary>
public sealed class HistoryReuseTests
{
    private const string Card = "4111 1111 1111 1111";
    private static readonly SearchValues<string> Terms = SearchValues.Create(["stack trace", "deadlock"], StringComparison.OrdinalIgnoreCase);
    private static readonly Regex Pattern = new(@"order\s+#\d{5}", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Fact]
    public void EveryStep_ReadsTheSameAsAFreshCopy()
    {
        List<ChatMessage> history = LongHistory(turns: 6);
        for (int step = 1; step <= 12; step++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{step}", "lookup", new Dictionary<string, object?> { ["id"] = step })]));
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{step}", $"result {step}: order #1234{step % 10}")]));
            if (step % 5 == 0)
            {
                history.Add(new ChatMessage(ChatRole.User, $"Now the next one, step {step}; is there a deadlock?"));
            }

            AssertSameAsFresh(history);
        }
    }

    [Fact]
    public void OldUserTextReplaced_IsNoticed()
    {
        List<ChatMessage> history = LongHistory(turns: 5);
        AssertSameAsFresh(history);
        var request = new RoutingRequest(history);
        Assert.False(request.ContainsAny(Terms) || request.Matches(Pattern) || request.ContainsAll("invoice") || request.Analysis.HasPii);

        var text = (TextContent)history[3].Contents[0];
        text.Text = $"Here is the stack trace of order #12345, paid with {Card}, see the invoice.";
        AssertSameAsFresh(history);
        request = new RoutingRequest(history);
        Assert.True(request.ContainsAny(Terms) && request.Matches(Pattern) && request.ContainsAll("invoice") && request.Analysis.HasPii);

        text.Text = "Nothing to see.";
        AssertSameAsFresh(history);
        Assert.False(new RoutingRequest(history).ContainsAny(Terms));
    }

    [Fact]
    public void OldContentReplacedAddedOrSwapped_IsNoticed()
    {
        List<ChatMessage> history = LongHistory(turns: 5);
        int before = new RoutingRequest(history).EstimatedInputTokens;
        AssertSameAsFresh(history);

        history[1].Contents[0] = new TextContent("A deadlock in the scheduler, order #54321.");
        AssertSameAsFresh(history);
        Assert.True(new RoutingRequest(history).ContainsAny(Terms));

        history[5].Contents.Add(new TextContent(string.Concat(Enumerable.Repeat("more words ", 400))));
        AssertSameAsFresh(history);
        Assert.True(new RoutingRequest(history).EstimatedInputTokens > before + 500);

        history[2] = new ChatMessage(ChatRole.Assistant, $"Your card {Card} was charged.");
        AssertSameAsFresh(history);
        Assert.True(new RoutingRequest(history).Analysis.HasPii);

        history[2].Role = ChatRole.User;
        AssertSameAsFresh(history);
    }

    [Fact]
    public void MutablePartsEditedInPlace_AreReadAgain()
    {
        List<ChatMessage> history = LongHistory(turns: 5);
        var arguments = new Dictionary<string, object?> { ["note"] = new Dictionary<string, object?> { ["text"] = "none" } };
        var image = new DataContent(new byte[] { 1, 2, 3 }, "image/png");
        var caption = new TextContent("a picture");
        history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("x", "save", arguments)]));
        history.Add(new ChatMessage(ChatRole.User, [image, caption]));
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("x", "saved")]));
        AssertSameAsFresh(history);
        Assert.False(new RoutingRequest(history).Analysis.HasPii);

        ((Dictionary<string, object?>)arguments["note"]!)["text"] = Card;
        AssertSameAsFresh(history);
        Assert.True(new RoutingRequest(history).Analysis.HasPii);

        caption.Text = "the stack trace of order #11111";
        AssertSameAsFresh(history);
        var request = new RoutingRequest(history);
        Assert.True(request.ContainsAny(Terms) && request.Matches(Pattern));
    }

    [Fact]
    public void ConcurrentStepsOverOneHistory_AgreeWithAFreshReading()
    {
        List<ChatMessage> history = LongHistory(turns: 20);
        history.Add(new ChatMessage(ChatRole.User, $"Order #12345 has a deadlock; my card is {Card}."));
        Snapshot expected = Read(new RoutingRequest(history.Select(m => m.Clone()).ToList()));
        var results = new Snapshot[200];
        Parallel.For(0, results.Length, i =>
        {
            var step = new List<ChatMessage>(history) { new(ChatRole.Assistant, $"step {i % 7}") };
            Snapshot fresh = Read(new RoutingRequest(step.Select(m => m.Clone()).ToList()));
            Snapshot reused = Read(new RoutingRequest(step));
            results[i] = reused == fresh ? expected : reused;
        });

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void AStep_StartsFromThePreviousStepsMemo_UnlessAnOldMessageChanged()
    {
        List<ChatMessage> history = LongHistory(turns: 5);
        Assert.True(new RoutingRequest(history).EstimatedInputTokens > 0);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "done")]));

        HistoryMemo memo = HistoryMemo.For(history, out HistoryMemo? previous, out int prefix);
        Assert.NotNull(previous);
        Assert.Equal(history.Count - 1, prefix);
        Assert.Same(previous, memo.Parent);
        Assert.True(previous.GetSum(SumSlot.Tokens) > 0);

        ((TextContent)history[1].Contents[0]).Text = "changed";
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c2", "done")]));
        HistoryMemo.For(history, out HistoryMemo? stale, out _);
        Assert.Null(stale);
    }

    [Fact]
    public void ALongLoop_KeepsItsMemoChainShort()
    {
        List<ChatMessage> history = LongHistory(turns: 2);
        int longest = 0;
        for (int step = 0; step < 3 * HistoryMemo.MaxDepth; step++)
        {
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{step}", "done")]));
            int depth = 0;
            for (HistoryMemo? memo = HistoryMemo.For(history, out _, out _); memo is not null; memo = memo.Parent)
            {
                depth++;
            }

            longest = Math.Max(longest, depth);
        }

        Assert.InRange(longest, 2, HistoryMemo.MaxDepth + 1);
    }

    [Fact]
    public void AnOldMessageChangedInPlace_IsReadAgain_WhileTheOthersKeepTheirReadings()
    {
        List<ChatMessage> history = LongHistory(turns: 5);
        Assert.False(new RoutingRequest(history).Analysis.HasPii);
        HistoryMemo before = HistoryMemo.For(history, out _, out _);
        TextSignals kept = before.SignalsOf(1, history[1], RequestAnalyzer.EarlierTurnWeight);

        ((TextContent)history[3].Contents[0]).Text = $"Charge {Card} for order #12345.";
        var request = new RoutingRequest(history);
        Assert.True(request.Analysis.HasPii);
        HistoryMemo after = HistoryMemo.For(history, out HistoryMemo? previous, out _);
        Assert.Null(after.Parent);
        Assert.NotSame(before, after);
        Assert.Same(after, previous); // the rebuilt memo is the one the request above made
        Assert.Same(kept, after.SignalsOf(1, history[1], RequestAnalyzer.EarlierTurnWeight));
        Assert.True(after.SignalsOf(3, history[3], RequestAnalyzer.EarlierTurnWeight).PiiCount > 0);
        AssertSameAsFresh(history);
    }

    [Fact]
    public void StepIndexAndLastTurn_FromTheMemo_EqualAScanAtEveryStep()
    {
        List<ChatMessage> history = LongHistory(turns: 4);
        for (int step = 1; step <= 8; step++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{step}", "lookup")]));
            history.Add(step % 3 == 0
                ? new ChatMessage(ChatRole.User, [new FunctionResultContent($"c{step}", "a tool result sent as a user message")])
                : new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{step}", "done")]));
            if (step == 5)
            {
                history.Add(new ChatMessage(ChatRole.User, "And the next city?"));
            }

            AssertStepFacts(history);
        }

        // An old message's role changed in place, then a mutable part (the memo's facts are not used: the scan decides).
        history[2].Role = ChatRole.User;
        AssertStepFacts(history);
        history[^1].Role = ChatRole.User;
        AssertStepFacts(history);
        history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("m", "save", new Dictionary<string, object?> { ["note"] = new List<string>() })]));
        AssertStepFacts(history);
        history[^1].Role = ChatRole.User;
        AssertStepFacts(history);
    }

    private static void AssertStepFacts(List<ChatMessage> history)
    {
        var request = new RoutingRequest(history);
        Assert.NotNull(request.History);
        Assert.Equal(LlmRouting.Agents.AgentSteps.IndexOf(history), request.StepIndex);
        Assert.Equal(LlmRouting.Agents.AgentSteps.LastUserIndex(history), request.LastTurnIndex);
        Assert.Equal(request.StepIndex, new RoutingRequest(history.Select(m => m.Clone()).ToList()).StepIndex);
    }

    private static List<ChatMessage> LongHistory(int turns)
    {
        var history = new List<ChatMessage> { new(ChatRole.System, "You are a careful assistant.") };
        for (int t = 0; t < turns; t++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Question {t}: why does the report for quarter {t % 4 + 1} show a drop? Explain step by step."));
            history.Add(new ChatMessage(ChatRole.Assistant, $"Answer {t}: the revenue fell because of fewer customers in region {t}."));
        }

        return history;
    }

    private static void AssertSameAsFresh(List<ChatMessage> history)
    {
        Snapshot reused = Read(new RoutingRequest(history));
        Snapshot again = Read(new RoutingRequest(history));
        Snapshot fresh = Read(new RoutingRequest(history.Select(m => m.Clone()).ToList()));
        Assert.Equal(fresh, reused);
        Assert.Equal(fresh, again);
    }

    private static Snapshot Read(RoutingRequest request)
    {
        RequestAnalysis analysis = request.Analysis;
        float[] features = new float[RequestAnalysis.FeatureCount];
        analysis.WriteFeatures(features);
        return new Snapshot(
            request.EstimatedInputTokens,
            analysis.ToString(),
            analysis.Complexity,
            analysis.PremiumNeed,
            analysis.PiiCount,
            string.Join(',', features),
            request.ContainsAny(Terms),
            request.ContainsAny("invoice", "deadlock"),
            request.ContainsAll("order", "drop"),
            request.Matches(Pattern));
    }

    private sealed record Snapshot(int Tokens, string Analysis, double Complexity, double PremiumNeed, int PiiCount, string Features, bool Terms, bool AnyTerm, bool AllTerms, bool Pattern);
}
