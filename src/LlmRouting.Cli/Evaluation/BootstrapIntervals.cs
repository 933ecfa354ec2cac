namespace LlmRouting.Cli.Evaluation;

/// <summary>
/// Percentile bootstrap intervals of APGR, CPT(50 %) and CPT(80 %): how much the figures move when the evaluated
/// prompts are drawn again.
/// </summary>
/// <remarks>
/// When the prompts come from two or more groups (files, e.g. MMLU subjects), whole groups are resampled with
/// replacement, because prompts of one subject are not independent: a held-out-subject figure rests on a few dozen
/// subjects, not on thousands of prompts. With one group, single prompts are resampled. The scores are kept as they
/// are (the routers are not refitted), so the interval reflects which prompts were evaluated, not training noise.
/// Resamples in which both models have the same quality (PGR undefined) are skipped and counted.
/// </remarks>
internal sealed class BootstrapIntervals
{
    /// <summary>The fewest resamples that still place the tails of a 95 % interval.</summary>
    public const int MinimumResamples = 100;

    private BootstrapIntervals(string unit, int units, int resamples, int skipped, double level, FigureInterval apgr, FigureInterval cpt50, FigureInterval cpt80)
    {
        Unit = unit;
        Units = units;
        Resamples = resamples;
        Skipped = skipped;
        Level = level;
        Apgr = apgr;
        Cpt50 = cpt50;
        Cpt80 = cpt80;
    }

    /// <summary>Gets what was resampled: <c>group</c> or <c>prompt</c>.</summary>
    public string Unit { get; }

    /// <summary>Gets the number of groups or prompts drawn in each resample.</summary>
    public int Units { get; }

    /// <summary>Gets the number of resamples drawn.</summary>
    public int Resamples { get; }

    /// <summary>Gets the number of resamples skipped because the two models had the same quality in them.</summary>
    public int Skipped { get; }

    /// <summary>Gets the confidence level, e.g. 0.95.</summary>
    public double Level { get; }

    /// <summary>Gets the APGR interval.</summary>
    public FigureInterval Apgr { get; }

    /// <summary>Gets the CPT(50 %) interval.</summary>
    public FigureInterval Cpt50 { get; }

    /// <summary>Gets the CPT(80 %) interval.</summary>
    public FigureInterval Cpt80 { get; }

    /// <summary>Computes the intervals.</summary>
    /// <param name="scores">The router's score per prompt.</param>
    /// <param name="weak">The weak model's outcome per prompt.</param>
    /// <param name="strong">The strong model's outcome per prompt.</param>
    /// <param name="groups">The group of each prompt.</param>
    /// <param name="resamples">The number of resamples, at least <see cref="MinimumResamples"/>.</param>
    /// <param name="level">The confidence level, in (0, 1).</param>
    /// <param name="seed">The seed of the draws: equal inputs and seed give equal intervals.</param>
    /// <returns>The intervals.</returns>
    /// <exception cref="CliException"><paramref name="resamples"/> or <paramref name="level"/> is out of range, or every resample was skipped.</exception>
    public static BootstrapIntervals Compute(double[] scores, double[] weak, double[] strong, IReadOnlyList<string> groups, int resamples, double level, int seed)
    {
        Validate(resamples, level);
        if (resamples == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(resamples), "At least one resample is needed to compute intervals.");
        }

        if (groups.Count != scores.Length || weak.Length != scores.Length || strong.Length != scores.Length)
        {
            throw new ArgumentException("Scores, outcomes and groups must have the same length.", nameof(groups));
        }

        int[][] units = GroupMembers(groups, out string unit);

        // The draws are made in order from one seeded generator, then the curves are computed in parallel.
        var random = new Random(seed);
        int[][] draws = new int[resamples][];
        for (int b = 0; b < resamples; b++)
        {
            int[] draw = draws[b] = new int[units.Length];
            for (int u = 0; u < draw.Length; u++)
            {
                draw[u] = random.Next(units.Length);
            }
        }

        double[] apgr = new double[resamples], cpt50 = new double[resamples], cpt80 = new double[resamples];
        bool[] kept = new bool[resamples];
        Parallel.For(0, resamples, b =>
        {
            int count = 0;
            foreach (int u in draws[b])
            {
                count += units[u].Length;
            }

            double[] s = new double[count], w = new double[count], g = new double[count];
            int k = 0;
            foreach (int u in draws[b])
            {
                foreach (int i in units[u])
                {
                    s[k] = scores[i];
                    w[k] = weak[i];
                    g[k] = strong[i];
                    k++;
                }
            }

            if (!RoutingCurve.TryCompute(s, w, g, out RoutingCurve? curve))
            {
                return;
            }

            kept[b] = true;
            apgr[b] = curve.Apgr;
            cpt50[b] = curve.CallPerformanceThreshold(0.5);
            cpt80[b] = curve.CallPerformanceThreshold(0.8);
        });

        int[] keptIndexes = [.. Enumerable.Range(0, resamples).Where(b => kept[b])];
        if (keptIndexes.Length == 0)
        {
            throw new CliException("Every bootstrap resample had equal strong and weak quality; no interval can be computed.");
        }

        return new BootstrapIntervals(
            unit,
            units.Length,
            resamples,
            resamples - keptIndexes.Length,
            level,
            Percentiles(keptIndexes, apgr, level),
            Percentiles(keptIndexes, cpt50, level),
            Percentiles(keptIndexes, cpt80, level));
    }

    /// <summary>Checks the settings before any work is done: <paramref name="resamples"/> is 0 (no intervals) or at least <see cref="MinimumResamples"/>, <paramref name="level"/> in (0, 1).</summary>
    /// <exception cref="CliException">A setting is out of range.</exception>
    public static void Validate(int resamples, double level)
    {
        if (resamples is not 0 and < MinimumResamples)
        {
            throw new CliException($"--bootstrap must be 0 (no intervals) or at least {MinimumResamples} (was {resamples}).");
        }

        if (!(level > 0 && level < 1))
        {
            throw new CliException($"--confidence must be between 0 and 1, exclusive (was {level.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }
    }

    /// <summary>The linearly interpolated quantile <paramref name="q"/> of sorted values.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    private static int[][] GroupMembers(IReadOnlyList<string> groups, out string unit)
    {
        int[][] members = PromptGroups.Members(groups);
        if (members.Length >= 2)
        {
            unit = "group";
            return members;
        }

        unit = "prompt";
        return [.. Enumerable.Range(0, groups.Count).Select(i => new[] { i })];
    }

    private static FigureInterval Percentiles(int[] kept, double[] values, double level)
    {
        double[] sorted = [.. kept.Select(b => values[b])];
        Array.Sort(sorted);
        double tail = (1 - level) / 2;
        return new FigureInterval(Quantile(sorted, tail), Quantile(sorted, 1 - tail));
    }
}
