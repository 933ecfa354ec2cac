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

    /// <summary>Gets the bootstrap intervals of the router's figures, when they were computed.</summary>
    public BootstrapIntervals? Intervals { get; private init; }

    public static EvaluationResult Compute(string router, double[] scores, double[] weak, double[] strong, BootstrapIntervals? intervals = null)
    {
        RoutingCurve curve = RoutingCurve.Compute(scores, weak, strong);
        RoutingCurve random = RoutingCurve.Compute(new double[scores.Length], weak, strong);
        double[] gain = new double[scores.Length];
        for (int i = 0; i < gain.Length; i++)
        {
            gain[i] = strong[i] - weak[i];
        }

        RoutingCurve oracle = RoutingCurve.Compute(gain, weak, strong);
        return new EvaluationResult(router, scores, curve, random, oracle) { Intervals = intervals };
    }
}
