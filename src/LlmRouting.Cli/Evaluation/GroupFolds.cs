using LlmRouting.Cli.Data;

namespace LlmRouting.Cli.Evaluation;

/// <summary>Out-of-fold scores with whole groups (e.g. MMLU subjects) held out: each fold's router learns only from the other folds.</summary>
internal static class GroupFolds
{
    /// <summary>Assigns every group to one of <paramref name="folds"/> folds of similar size (largest groups first, seeded order among equals).</summary>
    public static Dictionary<string, int> Assign(IReadOnlyList<LabelledPrompt> prompts, int folds, int seed)
    {
        Dictionary<string, int> sizes = prompts.GroupBy(p => p.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (sizes.Count < folds)
        {
            throw new CliException($"--folds {folds} needs at least {folds} groups (files); the data has {sizes.Count}.");
        }

        string[] groups = [.. sizes.Keys.Order(StringComparer.Ordinal)];
        new Random(seed).Shuffle(groups);
        int[] load = new int[folds];
        var assignment = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string group in groups.OrderByDescending(g => sizes[g]))
        {
            int fold = Array.IndexOf(load, load.Min());
            assignment[group] = fold;
            load[fold] += sizes[group];
        }

        return assignment;
    }

    /// <summary>Scores every prompt with a router built from the prompts of the other folds.</summary>
    public static double[] Score(
        IReadOnlyList<LabelledPrompt> prompts,
        int folds,
        int seed,
        Func<IReadOnlyList<LabelledPrompt>, PromptScorer> build,
        ProgressBar? progress,
        TextWriter log)
    {
        Dictionary<string, int> assignment = Assign(prompts, folds, seed);
        double[] scores = new double[prompts.Count];
        for (int fold = 0; fold < folds; fold++)
        {
            int f = fold;
            List<LabelledPrompt> train = [.. prompts.Where(p => assignment[p.Group] != f)];
            int[] held = [.. Enumerable.Range(0, prompts.Count).Where(i => assignment[prompts[i].Group] == f)];
            log.WriteLine($"Fold {f + 1}/{folds}: {held.Length} prompts in {assignment.Count(a => a.Value == f)} held-out group(s), router fitted on {train.Count}.");
            PromptScorer scorer = build(train);
            double[] foldScores = scorer.ScoreAll([.. held.Select(i => prompts[i].Prompt)], progress);
            for (int j = 0; j < held.Length; j++)
            {
                scores[held[j]] = foldScores[j];
            }
        }

        return scores;
    }
}
