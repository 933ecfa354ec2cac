using System.Text;
using BenchmarkDotNet.Attributes;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The classifier strategy's decision for 100 B, 1 KB and 16 KB prompts with the shipped default model:
/// the model's score alone (featurize + sparse dot product) and the whole <see cref="ClassifierStrategy.DecideAsync"/>.
/// </summary>
/// <remarks>
/// <see cref="Features"/> compares the shipped feature set with cheaper ones (same code path; those models are
/// fitted on a few synthetic prompts in the setup, since the weights' values do not change the cost).
/// </remarks>
[MemoryDiagnoser]
public class ClassifierBenchmarks
{
    private const string Sample = "A patient presents with chest pain radiating to the left arm. Which of the following is the most likely diagnosis? "
        + "A. Myocardial infarction B. Pulmonary embolism C. Costochondritis D. Aortic dissection. Explain the reasoning step by step, "
        + "compare the ECG findings and compute the expected troponin kinetics (t1/2 = 2h) before answering. ";

    private ClassifierModel _model = null!;
    private ClassifierStrategy _strategy = null!;
    private RouteCandidates _candidates = null!;
    private string _prompt = null!;

    /// <summary>Gets or sets the prompt size in bytes.</summary>
    [Params(100, 1_024, 16_384)]
    public int PromptBytes { get; set; }

    /// <summary>Gets or sets the feature set: the shipped default, or a cheaper variant.</summary>
    [Params("default", "char3-4+analyzer", "char3-only", "words-only")]
    public string Features { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        _model = Features switch
        {
            "char3-4+analyzer" => Fit(includeAnalysis: true, charMin: 3, charMax: 4),
            "char3-only" => Fit(includeAnalysis: false, charMin: 3, charMax: 3),
            "words-only" => Fit(includeAnalysis: false, charMin: 0, charMax: 0),
            _ => ClassifierModel.Default,
        };
        _strategy = new ClassifierStrategy(_model, "premium", "economy", ClassifierOptions.DefaultThreshold);
        var registry = new TargetRegistry(
        [
            new RouteTarget("premium", new NullChatClient(), new TargetProfile { Tier = QualityTier.Premium }),
            new RouteTarget("economy", new NullChatClient(), new TargetProfile { Tier = QualityTier.Economy }),
        ]);
        _candidates = RouteCandidates.All(registry);
        var sb = new StringBuilder(PromptBytes);
        while (sb.Length < PromptBytes)
        {
            sb.Append(Sample);
        }

        _prompt = sb.ToString(0, PromptBytes);
    }

    private static ClassifierModel Fit(bool includeAnalysis, int charMin, int charMax)
    {
        var examples = new List<ClassifierTrainingExample>();
        for (int i = 0; i < 40; i++)
        {
            examples.Add(new ClassifierTrainingExample(Sample + i, i % 2 == 0));
        }

        return ClassifierTrainer.Train(examples, new ClassifierTrainingOptions { HashBits = 15, Epochs = 1, IncludeRequestAnalysis = includeAnalysis, CharNGramMin = charMin, CharNGramMax = charMax });
    }

    [Benchmark(Baseline = true)]
    public double Score() => _model.Score(_prompt);

    [Benchmark]
    public async ValueTask<RouteDecision?> Decide() =>
        await _strategy.DecideAsync(new RoutingRequest(_prompt), _candidates, CancellationToken.None).ConfigureAwait(false);
}
