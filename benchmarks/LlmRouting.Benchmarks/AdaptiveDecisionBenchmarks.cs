using BenchmarkDotNet.Attributes;
using LlmRouting.Analysis;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The adaptive strategy's decision for 1 KB and 16 KB prompts, next to the default premium-need score it starts from
/// (the baseline: a fresh request's analysis). The trained model has 57 regions of 4096 dimensions, the size
/// <c>llmroute train --router adaptive</c> writes for RouteLLM's MMLU (one region per subject); it is fitted here on
/// synthetic prompts, since the weights' values do not change the cost.
/// </summary>
[MemoryDiagnoser]
public class AdaptiveDecisionBenchmarks
{
    private AdaptiveRoutingStrategy _strategy = null!;
    private RouteCandidates _candidates = null!;
    private string _prompt = null!;
    private string _otherPrompt = null!;
    private bool _flip;

    /// <summary>Gets or sets the prompt size in bytes.</summary>
    [Params(1_024, 16_384)]
    public int PromptBytes { get; set; }

    /// <summary>Gets or sets the regions of the model: 0 is the untrained model (the default score itself), 57 a trained one.</summary>
    [Params(0, 57)]
    public int Regions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _strategy = new AdaptiveRoutingStrategy(Regions == 0 ? AdaptiveModel.Empty : Train(Regions));
        _candidates = RouteCandidates.All(BenchmarkPrompts.Registry(out _, out _));
        _prompt = BenchmarkPrompts.Text(PromptBytes);
        _otherPrompt = BenchmarkPrompts.OtherText(PromptBytes);
    }

    /// <summary>The default premium-need score of a fresh request (the analysis every strategy shares).</summary>
    [Benchmark(Baseline = true)]
    public double DefaultScore() => new RoutingRequest(Prompt()).Analysis.PremiumNeed;

    /// <summary>The adaptive decision of a fresh request: analysis, local embedding of a text not embedded just before, pooled region shift, target.</summary>
    [Benchmark]
    public async ValueTask<RouteDecision?> AdaptiveDecide() =>
        await _strategy.DecideAsync(new RoutingRequest(Prompt()), _candidates, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Two prompts of the same size in turn, so the local embedder's memo of the last text never answers (as with real traffic).</summary>
    private string Prompt() => (_flip = !_flip) ? _prompt : _otherPrompt;

    private static AdaptiveModel Train(int regions)
    {
        var random = new Random(7);
        var embedder = new LocalEmbeddingGenerator(AdaptiveTrainingOptions.DefaultDimensions);
        var examples = new List<AdaptiveExample>();
        for (int g = 0; g < regions; g++)
        {
            for (int i = 0; i < 20; i++)
            {
                string text = string.Join(' ', Enumerable.Range(0, 30).Select(_ => $"topic{g}word{random.Next(40)}"));
                examples.Add(new AdaptiveExample(embedder.Embed(text), RequestAnalyzer.Default.AnalyzeText(text).PremiumNeed, random.NextDouble(), Group: $"g{g}"));
            }
        }

        return AdaptiveTrainer.Train(examples, new AdaptiveTrainingOptions { GroupRegions = true, DiscriminativeEpochs = 2 });
    }
}
