using LlmRouting.Cli.Data;

namespace LlmRouting.Cli.Evaluation;

/// <summary>A router's figures on each fold of whole groups on its own: the spread a pooled figure hides.</summary>
/// <param name="Fold">The fold number, from 0.</param>
/// <param name="Groups">The groups (files) in the fold.</param>
/// <param name="Prompts">The number of prompts in the fold.</param>
/// <param name="Apgr">The router's APGR on the fold, or NaN when both models have the same quality there.</param>
/// <param name="Cpt50">The router's CPT(50 %) on the fold, or NaN.</param>
internal sealed record FoldFigures(int Fold, IReadOnlyList<string> Groups, int Prompts, double Apgr, double Cpt50)
{
    /// <summary>Computes every fold's figures from the (out-of-fold) scores, with the fold assignment of <see cref="GroupFolds.Assign"/>.</summary>
    /// <param name="scores">The score of every prompt.</param>
    /// <param name="prompts">The labelled prompts.</param>
    /// <param name="folds">The number of folds.</param>
    /// <param name="seed">The seed of the fold assignment.</param>
    /// <returns>One entry per fold.</returns>
    public static IReadOnlyList<FoldFigures> Compute(double[] scores, IReadOnlyList<LabelledPrompt> prompts, int folds, int seed)
    {
        Dictionary<string, int> assignment = GroupFolds.Assign(prompts, folds, seed);
        var result = new List<FoldFigures>(folds);
        for (int fold = 0; fold < folds; fold++)
        {
            int[] members = [.. Enumerable.Range(0, prompts.Count).Where(i => assignment[prompts[i].Group] == fold)];
            double[] s = [.. members.Select(i => scores[i])];
            double[] weak = [.. members.Select(i => prompts[i].Weak)];
            double[] strong = [.. members.Select(i => prompts[i].Strong)];
            string[] groups = [.. assignment.Where(a => a.Value == fold).Select(a => a.Key).Order(StringComparer.Ordinal)];
            result.Add(members.Length > 0 && RoutingCurve.TryCompute(s, weak, strong, out RoutingCurve? curve)
                ? new FoldFigures(fold, groups, members.Length, curve.Apgr, curve.CallPerformanceThreshold(0.5))
                : new FoldFigures(fold, groups, members.Length, double.NaN, double.NaN));
        }

        return result;
    }
}
