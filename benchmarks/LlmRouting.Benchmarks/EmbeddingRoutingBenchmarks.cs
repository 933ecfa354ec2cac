using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Embedding routing side by side: Microsoft.Extensions.AI's <c>SemanticRoutingChatClient</c> and LlmRouting's
/// embedding strategy, both on the built-in <see cref="LocalEmbeddingGenerator"/>, 50 routes x 10 utterances,
/// top-3 mean, whole calls to instant providers (so the difference is the routing).
/// </summary>
[MemoryDiagnoser]
public class EmbeddingRoutingBenchmarks
{
    private IChatClient _direct = null!;
    private IChatClient _meaiSemantic = null!;
    private LlmRouterChatClient _llmRouter = null!;
    private List<ChatMessage> _messages = null!;

    /// <summary>Gets or sets the prompt size in bytes.</summary>
    [Params(100, 1_024, 16_384)]
    public int PromptBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TargetRegistry registry = BenchmarkPrompts.Registry(out NullChatClient premium, out NullChatClient economy);
        _direct = economy;
        List<(string Name, string[] Utterances)> routes = BenchmarkPrompts.Routes(50, 10);

        // MEAI identifies routes by client instance: one instant client per route.
        var profiles = new Dictionary<IChatClient, IReadOnlyList<string>>();
        var options = new EmbeddingRoutingOptions { Threshold = 0.99, TopK = 3, Aggregation = EmbeddingScoreAggregation.Mean };
        foreach ((string name, string[] utterances) in routes)
        {
            profiles[new NullChatClient()] = utterances;
            options.AddRoute(name.EndsWith('0') ? "premium" : "economy", utterances, name);
        }

#pragma warning disable MEAI001 // Experimental: the baseline being compared against.
        _meaiSemantic = new SemanticRoutingChatClient(LocalEmbeddingGenerator.Default, profiles, economy, scoreThreshold: 0.99f, topK: 3, SemanticRoutingChatClient.ScoreAggregation.Mean, leaveOpen: true);
#pragma warning restore MEAI001
        var strategy = new EmbeddingRoutingStrategy(options, LocalEmbeddingGenerator.Default);
        strategy.WarmUpAsync().GetAwaiter().GetResult();
        _llmRouter = new LlmRouterChatClient(registry, "economy", [strategy]);
        _ = premium;

        _messages = BenchmarkPrompts.Messages(BenchmarkPrompts.Text(PromptBytes));

        // Both embed their routes on first use: do it before measuring.
        _meaiSemantic.GetResponseAsync(_messages).GetAwaiter().GetResult();
        _llmRouter.GetResponseAsync(_messages).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meaiSemantic.Dispose();
        _llmRouter.Dispose();
    }

    [Benchmark(Baseline = true, Description = "direct call")]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(_messages);

    [Benchmark(Description = "MEAI SemanticRoutingChatClient")]
    public Task<ChatResponse> MeaiSemanticRouting() => _meaiSemantic.GetResponseAsync(_messages);

    [Benchmark(Description = "LlmRouter, embedding strategy")]
    public Task<ChatResponse> LlmRouterEmbedding() => _llmRouter.GetResponseAsync(_messages);
}
