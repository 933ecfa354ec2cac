using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;
using Microsoft.Extensions.AI;
using LlmRouting.Embeddings;

namespace LlmRouting.Cli.Tests;

/// <summary>The meai-semantic router must be MEAI's SemanticRoutingChatClient at every threshold, not an imitation.</summary>
public class MeaiSemanticScorerTests
{
    private static readonly LabelledPrompt[] Training =
    [
        new("Prove that the sum of two even integers is even using formal notation", 0, 1, "math"),
        new("Derive the closed form of the recurrence T(n) = 2T(n/2) + n", 0, 1, "math"),
        new("Which amendment protects against unreasonable searches and seizures", 0, 1, "law"),
        new("What is the capital of France", 1, 1, "geo"),
        new("How many legs does a spider have", 1, 1, "bio"),
    ];

    [Theory]
    [InlineData(1, 0.2)]
    [InlineData(1, 0.4)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.1)]
    public async Task SelectsPremiumExactlyWhenMeaisClientDoes(int k, float threshold)
    {
        var scorer = new MeaiSemanticScorer(Training, k);
        Assert.Equal(3, scorer.Utterances.Count);
        using var premium = new NamedClient("premium");
        using var economy = new NamedClient("economy");
        using var meai = new SemanticRoutingChatClient(
            LocalEmbeddingGenerator.Default,
            new Dictionary<IChatClient, IReadOnlyList<string>> { [premium] = scorer.Utterances },
            economy,
            threshold,
            scorer.TopK,
            SemanticRoutingChatClient.ScoreAggregation.Mean,
            leaveOpen: true);

        string[] prompts =
        [
            "Prove the sum of two odd integers is even",
            "Solve the recurrence T(n) = T(n-1) + n",
            "What is the capital of Spain",
            "Which amendment covers free speech",
            "Tell me a joke about cats",
        ];
        var choices = new List<bool>();
        foreach (string prompt in prompts)
        {
            ChatResponse response = await meai.GetResponseAsync(prompt);
            bool meaiChosePremium = response.Text == "premium";
            bool oursChosePremium = scorer.Score(prompt) >= threshold;
            Assert.True(meaiChosePremium == oursChosePremium, $"'{prompt}': MEAI chose {response.Text}, our score {scorer.Score(prompt):0.000} at threshold {threshold}.");
            choices.Add(meaiChosePremium);
        }

        // Each configuration sends some prompts each way, so agreement is not trivial.
        Assert.Contains(true, choices);
        Assert.Contains(false, choices);
    }

    [Fact]
    public void WithoutPremiumExamples_TheRouterIsRejectedClearly()
    {
        var ex = Assert.Throws<CliException>(() => new MeaiSemanticScorer([new("q", 1, 1, "g")], 5));
        Assert.StartsWith("The meai-semantic router needs training prompts where the strong model was needed", ex.Message, StringComparison.Ordinal);
    }

    private sealed class NamedClient(string name) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, name)));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only non-streaming calls are used in this test.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
