namespace LlmRouting.Strategies;

/// <summary>
/// Chooses the share of the pooled region shift a model applies (<see cref="AdaptiveModel.ShiftScale"/>) on inner folds
/// of the training examples only (<see cref="AdaptiveTrainingOptions.BlendFolds"/>).
/// </summary>
/// <remarks>
/// Inner folds of whole groups measure how the shift carries over to a group without labels: each candidate's gain is
/// its APGR minus the default score's on the fold, computed from the labels (a label's gain is 2 · label − 1, the
/// strong-minus-weak outcome of RouteLLM-style data). Inner folds of random examples measure the in-distribution APGR
/// (one ranking over the pooled folds). Among the candidates whose in-distribution APGR is at most
/// <see cref="AdaptiveTrainingOptions.BlendTolerance"/> below the whole shift's, the one with the best worst group fold
/// wins; ties keep the larger share.
/// </remarks>
internal static class AdaptiveBlend
{
    /// <summary>The shares tried, largest first.</summary>
    internal static readonly double[] Candidates = [1, 0.95, 0.9, 0.85, 0.8, 0.75];

    public static double Choose(IReadOnlyList<AdaptiveExample> examples, AdaptiveTrainingOptions options, CancellationToken cancellationToken)
    {
        int folds = options.BlendFolds;
        if (folds == 0 || examples.Count == 0 || examples.Any(e => e.Group is null))
        {
            return 1;
        }

        int[]? groupFold = GroupFolds(examples, folds, options.Seed);
        if (groupFold is null)
        {
            return 1;
        }

        int[] promptFold = FoldAssignment.ByItem(examples.Count, folds, options.Seed);
        AdaptiveTrainingOptions inner = options.WithoutBlend();
        double[] gains = [.. examples.Select(e => e.Weight * ((2 * e.PremiumNeed) - 1))];
        double[] weights = [.. examples.Select(e => e.Weight)];
        double[] defaults = [.. examples.Select(e => e.DefaultScore)];

        // Out-of-fold prior logit and pooled shift of every example, once for the group folds and once for the random ones.
        (double[] Prior, double[] Shift) byGroup = OutOfFold(examples, groupFold, folds, inner, cancellationToken);
        (double[] Prior, double[] Shift) byPrompt = OutOfFold(examples, promptFold, folds, inner, cancellationToken);

        int[] all = [.. Enumerable.Range(0, examples.Count)];
        // Each group fold's members and the default score's APGR on them: the same for every candidate share.
        int[][] members = [.. Enumerable.Range(0, folds).Select(f => all.Where(i => groupFold[i] == f).ToArray())];
        double[] defaultApgr = [.. members.Select(m => Apgr(m, i => defaults[i], gains, weights))];
        double whole = Apgr(all, i => byPrompt.Prior[i] + byPrompt.Shift[i], gains, weights);
        double best = double.NegativeInfinity, chosen = 1;
        foreach (double share in Candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Apgr(all, i => byPrompt.Prior[i] + (share * byPrompt.Shift[i]), gains, weights) < whole - options.BlendTolerance)
            {
                continue;
            }

            double worst = double.PositiveInfinity;
            for (int f = 0; f < folds; f++)
            {
                double gain = Apgr(members[f], i => byGroup.Prior[i] + (share * byGroup.Shift[i]), gains, weights) - defaultApgr[f];
                if (!double.IsNaN(gain))
                {
                    worst = Math.Min(worst, gain);
                }
            }

            if (worst > best + 1e-12)
            {
                best = worst;
                chosen = share;
            }
        }

        return chosen;
    }

    private static (double[] Prior, double[] Shift) OutOfFold(IReadOnlyList<AdaptiveExample> examples, int[] fold, int folds, AdaptiveTrainingOptions inner, CancellationToken cancellationToken)
    {
        double[] prior = new double[examples.Count], shift = new double[examples.Count];
        for (int f = 0; f < folds; f++)
        {
            AdaptiveExample[] train = [.. examples.Where((_, i) => fold[i] != f)];
            AdaptiveModel model = AdaptiveTrainer.Train(train, inner, cancellationToken);
            int held = f;
            Parallel.For(0, examples.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                if (fold[i] == held)
                {
                    prior[i] = model.PriorLogit(examples[i].DefaultScore);
                    shift[i] = model.PooledShift(examples[i].Embedding.Span);
                }
            });
        }

        return (prior, shift);
    }

    /// <summary>Each example's fold of whole groups (<see cref="FoldAssignment.ByGroup"/>); <see langword="null"/> with fewer groups than folds.</summary>
    private static int[]? GroupFolds(IReadOnlyList<AdaptiveExample> examples, int folds, int seed)
    {
        Dictionary<string, int> sizes = examples.GroupBy(e => e.Group!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return FoldAssignment.ByGroup(sizes, folds, seed) is { } assignment ? [.. examples.Select(e => assignment[e.Group!])] : null;
    }

    /// <summary>The area under the share of the total gain recovered versus the (weighted) share sent to the stronger tier, highest score first; ties move together. NaN when the gains sum to 0.</summary>
    internal static double Apgr(int[] members, Func<int, double> score, double[] gains, double[] weights)
    {
        double totalGain = 0, totalWeight = 0;
        foreach (int i in members)
        {
            totalGain += gains[i];
            totalWeight += weights[i];
        }

        if (Math.Abs(totalGain) < 1e-12 || totalWeight <= 0)
        {
            return double.NaN;
        }

        double[] keys = [.. members.Select(score)];
        int[] order = [.. Enumerable.Range(0, members.Length)];
        Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]) is var c and not 0 ? c : a.CompareTo(b));
        double area = 0, share = 0, pgr = 0, gain = 0, weight = 0;
        int k = 0;
        while (k < order.Length)
        {
            double threshold = keys[order[k]];
            while (k < order.Length && keys[order[k]] == threshold)
            {
                gain += gains[members[order[k]]];
                weight += weights[members[order[k]]];
                k++;
            }

            double nextShare = weight / totalWeight, nextPgr = gain / totalGain;
            area += (nextShare - share) * (pgr + nextPgr) / 2;
            share = nextShare;
            pgr = nextPgr;
        }

        return area;
    }
}
