using LlmRouting.Cli.Data;

namespace LlmRouting.Cli.Evaluation;

/// <summary>A router's curve and figures with the random and oracle baselines on the same prompts.</summary>
internal sealed class EvaluationResult
{
    private EvaluationResult(string router, double[] scores, RoutingCurve curve, RoutingCurve random, RoutingCurve oracle)
    {
        Router = router;
        Scores = scores;
        Curve = curve;
        Random = random;
        Oracle = oracle;
    }

    public string Router { get; }

    public double[] Scores { get; }

    public RoutingCurve Curve { get; }

    /// <summary>Gets the random router's expected curve: every prompt tied, a straight line from weak to strong.</summary>
    public RoutingCurve Random { get; }

    /// <summary>Gets the oracle's curve: prompts ordered by the strong model's gain over the weak one.</summary>
    public RoutingCurve Oracle { get; }

    /// <summary>
    /// Gets the group oracle's curve, when the prompts come from two or more groups: every prompt scored with its own
    /// group's true mean gain. It bounds any router that can tell groups (e.g. subjects) apart perfectly but knows
    /// nothing about single prompts within a group.
    /// </summary>
    public RoutingCurve? GroupOracle { get; private init; }

    /// <summary>Gets the bootstrap intervals of the router's figures, when they were computed.</summary>
    public BootstrapIntervals? Intervals { get; private init; }

    /// <summary>Gets the router's figures on each fold of whole groups, when folds were asked for.</summary>
    public IReadOnlyList<FoldFigures>? Folds { get; set; }

    /// <summary>Gets or sets the configured router's operating point, when a configuration was evaluated.</summary>
    public OperatingPoint? OperatingPoint { get; set; }

    /// <summary>Computes the router's curve and the baselines.</summary>
    /// <param name="router">The router's display name.</param>
    /// <param name="scores">The router's score per prompt.</param>
    /// <param name="weak">The weak model's outcome per prompt.</param>
    /// <param name="strong">The strong model's outcome per prompt.</param>
    /// <param name="groups">The group of each prompt, for the group oracle; <see langword="null"/> for none.</param>
    /// <param name="intervals">The bootstrap intervals of the router's figures, if computed.</param>
    /// <returns>The result.</returns>
    public static EvaluationResult Compute(string router, double[] scores, double[] weak, double[] strong, IReadOnlyList<string>? groups = null, BootstrapIntervals? intervals = null)
    {
        RoutingCurve curve = RoutingCurve.Compute(scores, weak, strong);
        RoutingCurve random = RoutingCurve.Compute(new double[scores.Length], weak, strong);
        double[] gain = new double[scores.Length];
        for (int i = 0; i < gain.Length; i++)
        {
            gain[i] = strong[i] - weak[i];
        }

        RoutingCurve oracle = RoutingCurve.Compute(gain, weak, strong);
        return new EvaluationResult(router, scores, curve, random, oracle)
        {
            GroupOracle = groups is null ? null : GroupMeanGain(gain, groups) is { } groupGain ? RoutingCurve.Compute(groupGain, weak, strong) : null,
            Intervals = intervals,
        };
    }

    /// <summary>
    /// Evaluates a router's scores on labelled prompts: its curve, the baselines (with the group oracle) and, when
    /// <paramref name="resamples"/> is above 0, bootstrap intervals of its figures.
    /// </summary>
    /// <param name="router">The router's display name.</param>
    /// <param name="scores">The router's score per prompt.</param>
    /// <param name="prompts">The labelled prompts, in the order of <paramref name="scores"/>.</param>
    /// <param name="resamples">Bootstrap resamples; 0 for no intervals.</param>
    /// <param name="level">The confidence level of the intervals.</param>
    /// <param name="seed">The seed of the bootstrap draws.</param>
    /// <returns>The result.</returns>
    public static EvaluationResult Evaluate(string router, double[] scores, IReadOnlyList<LabelledPrompt> prompts, int resamples, double level, int seed)
    {
        double[] weak = [.. prompts.Select(p => p.Weak)];
        double[] strong = [.. prompts.Select(p => p.Strong)];
        string[] groups = [.. prompts.Select(p => p.Group)];
        BootstrapIntervals? intervals = resamples > 0
            ? BootstrapIntervals.Compute(scores, weak, strong, groups, resamples, level, seed)
            : null;
        return Compute(router, scores, weak, strong, groups, intervals);
    }

    /// <summary>Each prompt's group's mean gain, or <see langword="null"/> when there are fewer than two groups.</summary>
    private static double[]? GroupMeanGain(double[] gain, IReadOnlyList<string> groups)
    {
        if (groups.Count != gain.Length)
        {
            throw new ArgumentException("Every prompt needs a group.", nameof(groups));
        }

        int[][] members = PromptGroups.Members(groups);
        if (members.Length < 2)
        {
            return null;
        }

        double[] mean = new double[gain.Length];
        foreach (int[] group in members)
        {
            double sum = 0;
            foreach (int i in group)
            {
                sum += gain[i];
            }

            foreach (int i in group)
            {
                mean[i] = sum / group.Length;
            }
        }

        return mean;
    }
}
