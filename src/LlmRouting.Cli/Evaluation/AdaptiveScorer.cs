using LlmRouting.Analysis;
using LlmRouting.Cli.Data;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Evaluation;

/// <summary>The adaptive router (<see cref="AdaptiveModel"/>): the default score shifted per region by pooled labels.</summary>
internal sealed class AdaptiveScorer(AdaptiveModel model, string name) : PerPromptScorer
{
    public override string Name => name;

    public AdaptiveModel Model => model;

    /// <summary>Gets a value indicating whether each prompt's group (its file) is sent as the caller's <c>task</c> metadata, as an application that names its requests' topics would (<c>--task group</c>): a group the model has no region for keeps the calibrated prior.</summary>
    public bool TaskFromGroup { get; init; }

    public override double Score(string prompt) => model.Score(prompt, RequestAnalyzer.Default.AnalyzeText(prompt).PremiumNeed);

    public override double Score(LabelledPrompt prompt) =>
        model.Score(prompt.Prompt, prompt.Analyze().PremiumNeed, TaskFromGroup ? prompt.Group : null);

    /// <summary>The premium-need label of a prompt: 1 when only the strong model succeeds, 0 when only the weak one does, ½ for equal outcomes (numeric outcomes map their gap linearly, clamped).</summary>
    public static double Label(LabelledPrompt prompt) => (Math.Clamp(prompt.Strong - prompt.Weak, -1, 1) + 1) / 2;

    /// <summary>Embeds and scores the prompts with the default score and fits a model.</summary>
    public static AdaptiveModel Fit(IReadOnlyList<LabelledPrompt> prompts, AdaptiveTrainingOptions options)
    {
        var embedder = options.Dimensions == LocalEmbeddingGenerator.DefaultDimensions ? LocalEmbeddingGenerator.Default : new LocalEmbeddingGenerator(options.Dimensions);
        var examples = new AdaptiveExample[prompts.Count];
        Parallel.For(0, prompts.Count, i =>
        {
            string text = prompts[i].Prompt;
            float[] embedding = new float[embedder.Dimensions];
            AdaptiveModel.Embed(embedder, text, embedding);
            examples[i] = new AdaptiveExample(embedding, prompts[i].Analyze().PremiumNeed, Label(prompts[i]), Group: prompts[i].Group);
        });
        try
        {
            return AdaptiveTrainer.Train(examples, options);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"Cannot train the adaptive router: {e.Message}", e);
        }
    }

    /// <summary>
    /// The training options <c>llmroute</c> uses: one region per group (file) when the data has two or more groups, else
    /// k-means regions; with groups, the share of the shift is chosen on 5 inner folds of the training data
    /// (<see cref="AdaptiveTrainingOptions.BlendFolds"/>; with fewer than 5 groups the whole shift applies).
    /// </summary>
    public static AdaptiveTrainingOptions DefaultOptions(IReadOnlyList<LabelledPrompt> prompts, int seed)
    {
        bool groups = prompts.Select(p => p.Group).Distinct(StringComparer.Ordinal).Skip(1).Any();
        return new() { Seed = seed, GroupRegions = groups, BlendFolds = groups ? 5 : 0 };
    }
}
