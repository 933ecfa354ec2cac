using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Telemetry;

namespace LlmRouting.Tests;

public class PremiumNeedScoreTests
{
    private const string Base = "A shop has a shelf of books and a shelf of games";

    private static double Score(string text) => RequestAnalyzer.Default.AnalyzeText(text).PremiumNeed;

    [Fact]
    public void IsInTheUnitIntervalAndNearZeroForAGreeting()
    {
        double greeting = Score("Hello!");
        Assert.InRange(greeting, 0, 0.01);
        Assert.InRange(Score(string.Concat(Enumerable.Repeat("Why is it so? ", 2000))), 0.5, 1);
    }

    [Fact]
    public void GrowsWithLength()
    {
        double one = Score("The sky was grey over the old harbour town");
        double two = Score("The sky was grey over the old harbour town and the boats stayed tied to the long wooden pier all day");
        Assert.True(two > one, $"{two} > {one}");
    }

    [Fact]
    public void GrowsWithSentences()
    {
        // Same characters and words; only the sentence ends differ.
        double run = Score("the boat left early, the sea was calm, the crew was tired, the nets were full, the gulls followed");
        double sentences = Score("the boat left early. the sea was calm. the crew was tired. the nets were full. the gulls followed.");
        Assert.True(sentences > run, $"{sentences} > {run}");
    }

    [Theory]
    [InlineData("not")] // negation and exceptions
    [InlineData("except")]
    [InlineData("if")] // conditions and assumptions
    [InlineData("suppose")]
    [InlineData("most")] // comparison and judgement
    [InlineData("likely")]
    [InlineData("many")] // quantities
    [InlineData("each")]
    [InlineData("why")] // reasoning connectives
    [InlineData("therefore")]
    public void EachCueWordRaisesTheScore(string cue)
    {
        // The neutral word has the same length, so only the cue differs.
        string neutral = new('z', cue.Length);
        double with = Score($"{Base} {cue} on the wall");
        double without = Score($"{Base} {neutral} on the wall");
        Assert.True(with > without, $"'{cue}': {with} > {without}");
    }

    [Fact]
    public void MoreCuesNeverLowerIt()
    {
        string text = Base;
        double previous = Score(text);
        foreach (string cue in new[] { "if", "not", "most", "each", "why", "many", "except", "because" })
        {
            text += " " + cue;
            double next = Score(text);
            Assert.True(next > previous, $"adding '{cue}': {next} > {previous}");
            previous = next;
        }
    }

    [Fact]
    public void TopicWordsDoNotMoveIt()
    {
        // Same shape, different subject: the score reads how a question is asked, not what it is about.
        double law = Score("Which statute governs the tenant's appeal in the court?");
        double biology = Score("Which protein governs the neuron's signal in the brain?");
        Assert.Equal(law, biology, 12);
    }

    [Fact]
    public void CodeRaisesIt()
    {
        // Same characters and words; only the fences differ.
        double prose = Score("Please look at this and tell me what is wrong with it\n   \nx = 1\n   ");
        double code = Score("Please look at this and tell me what is wrong with it\n```\nx = 1\n```");
        Assert.True(code > prose, $"{code} > {prose}");
    }

    [Fact]
    public void ConversationDepthRaisesIt()
    {
        const string question = "And what about the second one?";
        double single = RequestAnalyzer.Default.Analyze(new RoutingRequest(question)).PremiumNeed;
        // Earlier assistant turns add depth but no user text, so length and cues stay the same.
        var turns = new List<ChatMessage>();
        for (int i = 0; i < 10; i++)
        {
            turns.Add(new ChatMessage(ChatRole.Assistant, "Sure."));
        }

        turns.Add(new ChatMessage(ChatRole.User, question));
        double deep = RequestAnalyzer.Default.Analyze(new RoutingRequest(turns)).PremiumNeed;
        Assert.True(deep > single, $"{deep} > {single}");
    }

    [Fact]
    public void ComputeIsTheDocumentedFormula()
    {
        // σ(1.2·ln(1 + 100) + 0.11·3 + 3·2/√16 + 1·0.5 + 1·0.1 − 9), with 2 messages → depth 0.1.
        double z = (1.2 * Math.Log(101)) + (0.11 * 3) + (3.0 * 2 / 4) + 0.5 + 0.1 - 9;
        Assert.Equal(1 / (1 + Math.Exp(-z)), PremiumNeedScore.Compute(100, 16, 3, 2, 0.5, 2), 12);

        // Sentences saturate at MaxSentences; the code term and depth are clamped to [0, 1].
        Assert.Equal(PremiumNeedScore.Compute(100, 16, PremiumNeedScore.MaxSentences, 0, 1, 11), PremiumNeedScore.Compute(100, 16, 500, 0, 7, 500), 12);
    }
}
