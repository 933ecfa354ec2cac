using LlmRouting.Cli.Data;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Evaluation;

/// <summary>Out-of-fold scores: each fold's router learns only from the other folds, which hold out whole groups (e.g. MMLU subjects) or, in-distribution, random prompts.</summary>
internal static class GroupFolds
{
    /// <summary>Assigns every group to one of <paramref name="folds"/> folds of similar size (largest groups first, seeded order among equals).</summary>
    public static Dictionary<string, int> Assign(IReadOnlyList<LabelledPrompt> prompts, int folds, int seed)
    {
        Dictionary<string, int> sizes = prompts.GroupBy(p => p.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return FoldAssignment.ByGroup(sizes, folds, seed)
            ?? throw new CliException($"--folds {folds} needs at least {folds} groups (files); the data has {sizes.Count}.");
    }

    /// <summary>Assigns every prompt to one of <paramref name="folds"/> folds at random (seeded), sizes differing by at most one: an in-distribution split.</summary>
    public static int[] AssignPrompts(int count, int folds, int seed)
    {
        if (count < folds)
        {
            throw new CliException($"--folds {folds} needs at least {folds} prompts; the data has {count}.");
        }

        return FoldAssignment.ByItem(count, folds, seed);
    }

    /// <summary>Scores every prompt with a router built from the prompts of the other folds.</summary>
    /// <param name="prompts">The labelled prompts.</param>
    /// <param name="folds">The number of folds, at least 2.</param>
    /// <param name="seed">The seed of the fold assignment.</param>
    /// <param name="build">Builds a router from training prompts.</param>
    /// <param name="progress">The progress bar, if any.</param>
    /// <param name="log">Where each fold is reported.</param>
    /// <param name="byPrompt">Split single prompts at random instead of whole groups (in-distribution: every group is in training).</param>
    /// <returns>The out-of-fold score of every prompt.</returns>
    public static double[] Score(
        IReadOnlyList<LabelledPrompt> prompts,
        int folds,
        int seed,
        Func<IReadOnlyList<LabelledPrompt>, PromptScorer> build,
        ProgressBar? progress,
        TextWriter log,
        bool byPrompt = false)
    {
        int[] foldOf;
        if (byPrompt)
        {
            foldOf = AssignPrompts(prompts.Count, folds, seed);
        }
        else
        {
            Dictionary<string, int> assignment = Assign(prompts, folds, seed);
            foldOf = [.. prompts.Select(p => assignment[p.Group])];
        }

        double[] scores = new double[prompts.Count];
        for (int fold = 0; fold < folds; fold++)
        {
            int f = fold;
            List<LabelledPrompt> train = [.. prompts.Where((_, i) => foldOf[i] != f)];
            int[] held = [.. Enumerable.Range(0, prompts.Count).Where(i => foldOf[i] == f)];
            int heldGroups = held.Select(i => prompts[i].Group).Distinct(StringComparer.Ordinal).Count();
            log.WriteLine(byPrompt
                ? $"Fold {f + 1}/{folds}: {held.Length} random prompts from {heldGroups} group(s), router fitted on {train.Count}."
                : $"Fold {f + 1}/{folds}: {held.Length} prompts in {heldGroups} held-out group(s), router fitted on {train.Count}.");
            PromptScorer scorer = build(train);
            double[] foldScores = scorer.ScoreAll([.. held.Select(i => prompts[i])], progress);
            for (int j = 0; j < held.Length; j++)
            {
                scores[held[j]] = foldScores[j];
            }
        }

        return scores;
    }
}
