using LlmRouting.Analysis;
using LlmRouting.Cli.Data;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Evaluation;

/// <summary>A router under evaluation: gives each prompt a score (higher = more reason to call the strong model).</summary>
internal abstract class PromptScorer
{
    /// <summary>Gets the router's name, as reported.</summary>
    public abstract string Name { get; }

    /// <summary>Scores every prompt, in order, reporting progress as prompts complete.</summary>
    /// <param name="prompts">The prompts.</param>
    /// <param name="progress">The progress sink (count of prompts done).</param>
    /// <returns>One score per prompt.</returns>
    public abstract double[] ScoreAll(IReadOnlyList<string> prompts, ProgressBar? progress);

    /// <summary>Scores labelled prompts, in order: their texts, unless the router also reads what a caller would tell it (<see cref="AdaptiveScorer.TaskFromGroup"/>).</summary>
    /// <param name="prompts">The prompts.</param>
    /// <param name="progress">The progress sink (count of prompts done).</param>
    /// <returns>One score per prompt.</returns>
    public virtual double[] ScoreAll(IReadOnlyList<LabelledPrompt> prompts, ProgressBar? progress) => ScoreAll([.. prompts.Select(p => p.Prompt)], progress);
}

/// <summary>A router that scores each prompt independently (in parallel).</summary>
internal abstract class PerPromptScorer : PromptScorer
{
    /// <inheritdoc/>
    public override double[] ScoreAll(IReadOnlyList<string> prompts, ProgressBar? progress) => Each(prompts, Score, progress);

    /// <inheritdoc/>
    public override double[] ScoreAll(IReadOnlyList<LabelledPrompt> prompts, ProgressBar? progress) => Each(prompts, Score, progress);

    /// <summary>Scores one prompt.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>The score.</returns>
    public abstract double Score(string prompt);

    /// <summary>Scores one labelled prompt: its text, unless the router also reads what a caller would tell it.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>The score.</returns>
    public virtual double Score(LabelledPrompt prompt) => Score(prompt.Prompt);

    private static double[] Each<T>(IReadOnlyList<T> prompts, Func<T, double> score, ProgressBar? progress)
    {
        double[] scores = new double[prompts.Count];
        Parallel.For(0, prompts.Count, i =>
        {
            scores[i] = score(prompts[i]);
            progress?.Increment();
        });
        return scores;
    }
}

/// <summary>The LlmRouting classifier (the shipped default model or a model file).</summary>
internal sealed class ClassifierScorer(ClassifierModel model, string name) : PerPromptScorer
{
    public override string Name => name;

    public override double Score(string prompt) => model.Score(prompt);
}

/// <summary>The library's default: the zero-shot premium-need score of <see cref="RequestAnalyzer"/> (<see cref="RequestAnalysis.PremiumNeed"/>).</summary>
internal sealed class PremiumNeedScorer : PerPromptScorer
{
    public override string Name => "default (premium-need score)";

    public override double Score(string prompt) => RequestAnalyzer.Default.AnalyzeText(prompt).PremiumNeed;

    /// <summary>Scores the request as the router analyses it: a conversation as a whole (its user turns, its depth).</summary>
    public override double Score(LabelledPrompt prompt) => prompt.Analyze().PremiumNeed;
}

/// <summary>The length heuristic: longer prompts go to the strong model first.</summary>
internal sealed class LengthScorer : PerPromptScorer
{
    public override string Name => "length";

    public override double Score(string prompt) => prompt.Length;

    /// <summary>Of a conversation, the characters of all its user turns.</summary>
    public override double Score(LabelledPrompt prompt) => new RoutingRequest(prompt.Messages()).UserText.Length;
}

/// <summary>Uniformly random scores from a seed: the empirical random router (APGR ≈ 0.5).</summary>
internal sealed class RandomScorer(int seed) : PromptScorer
{
    public override string Name => "random";

    public override double[] ScoreAll(IReadOnlyList<string> prompts, ProgressBar? progress)
    {
        var random = new Random(seed);
        double[] scores = new double[prompts.Count];
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = random.NextDouble();
            progress?.Increment();
        }

        return scores;
    }
}
