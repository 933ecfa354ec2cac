using LlmRouting.Cli;
using LlmRouting.Cli.Evaluation;

namespace LlmRouting.Cli.Tests;

public class RoutingCurveTests
{
    // Four prompts: gains (strong − weak) are +1, 0, −1, +1. Weak quality 0.5, strong 0.75, gap 0.25.
    private static readonly double[] Weak = [0, 1, 1, 0];
    private static readonly double[] Strong = [1, 1, 0, 1];

    [Fact]
    public void Qualities_AreTheMeansOfEachModel()
    {
        RoutingCurve curve = RoutingCurve.Compute([0.1, 0.2, 0.3, 0.4], Weak, Strong);
        Assert.Equal(0.5, curve.WeakQuality);
        Assert.Equal(0.75, curve.StrongQuality);
    }

    [Fact]
    public void Curve_MatchesAHandComputedOrder()
    {
        // Order by score: prompt 0 (+1), 3 (+1), 1 (0), 2 (−1) → qualities 0.5, 0.75, 1.0, 1.0, 0.75.
        RoutingCurve curve = RoutingCurve.Compute([0.9, 0.5, 0.1, 0.8], Weak, Strong);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], curve.Points.Select(p => p.StrongShare));
        Assert.Equal([0.5, 0.75, 1.0, 1.0, 0.75], curve.Points.Select(p => p.Quality));
        Assert.Equal([0, 1, 2, 2, 1], curve.Points.Select(p => p.Pgr));

        // Trapezoids: 0.25 × (0+1)/2 + 0.25 × (1+2)/2 + 0.25 × (2+2)/2 + 0.25 × (2+1)/2 = 0.125 + 0.375 + 0.5 + 0.375.
        Assert.Equal(1.375, curve.Apgr, 12);
        Assert.Equal(0.125, curve.CallPerformanceThreshold(0.5), 12);
        Assert.Equal(0.2, curve.CallPerformanceThreshold(0.8), 12);
    }

    [Fact]
    public void Random_AllTied_IsTheStraightLineWithApgrOneHalf()
    {
        RoutingCurve curve = RoutingCurve.Compute(new double[4], Weak, Strong);
        Assert.Equal(2, curve.Points.Count);
        Assert.Equal(0.5, curve.Apgr, 12);
        Assert.Equal(0.5, curve.CallPerformanceThreshold(0.5), 12);
        Assert.Equal(0.8, curve.CallPerformanceThreshold(0.8), 12);
        Assert.Equal(0.625, curve.QualityAt(0.5), 12);
    }

    [Fact]
    public void RandomScores_OnManyPrompts_GiveApgrNearOneHalf()
    {
        var random = new Random(11);
        int n = 20_000;
        double[] weak = new double[n], strong = new double[n], scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            weak[i] = random.NextDouble() < 0.6 ? 1 : 0;
            strong[i] = random.NextDouble() < 0.8 ? 1 : 0;
            scores[i] = random.NextDouble();
        }

        RoutingCurve curve = RoutingCurve.Compute(scores, weak, strong);
        Assert.InRange(curve.Apgr, 0.45, 0.55);
        Assert.InRange(curve.CallPerformanceThreshold(0.5), 0.42, 0.58);
    }

    [Fact]
    public void Oracle_SendsOnlyTheGainsFirst()
    {
        EvaluationResult result = EvaluationResult.Compute("test", [0, 0, 0, 0], Weak, Strong);
        RoutingCurve oracle = result.Oracle;

        // Gains sorted: +1, +1 (tied, move together), 0, −1.
        Assert.Equal([0, 0.5, 0.75, 1], oracle.Points.Select(p => p.StrongShare));
        Assert.Equal([0.5, 1.0, 1.0, 0.75], oracle.Points.Select(p => p.Quality));

        // PGR reaches 2 at share 0.5 through the tie: CPT(50%) interpolates to 0.125.
        Assert.Equal(0.125, oracle.CallPerformanceThreshold(0.5), 12);
        Assert.Equal(0.5, result.Random.Apgr, 12);
    }

    [Fact]
    public void TiedScores_MoveTogether_AndTheCurveIsLinearAcrossTheTie()
    {
        // Prompts 0 and 2 tie at the top: the +1 and −1 gains cancel across the tie.
        RoutingCurve curve = RoutingCurve.Compute([0.9, 0.1, 0.9, 0.5], Weak, Strong);
        Assert.Equal([0, 0.5, 0.75, 1], curve.Points.Select(p => p.StrongShare));
        Assert.Equal(0.5, curve.QualityAt(0.25), 12);
        Assert.Equal(0.9, curve.Points[1].Threshold);
    }

    [Fact]
    public void ThresholdForShare_NeverSplitsATie()
    {
        RoutingCurve curve = RoutingCurve.Compute([0.9, 0.1, 0.9, 0.5], Weak, Strong);
        Assert.Equal((0.9, 0.5), curve.ThresholdForShare(0.6));
        Assert.Equal(0, curve.ThresholdForShare(0.3).ActualShare);
    }

    [Fact]
    public void GroupOracle_ScoresEachPromptWithItsGroupsMeanGain()
    {
        // Groups: "x" = prompts 0 and 2 (gains +1, −1: mean 0), "y" = prompts 1 and 3 (gains 0, +1: mean 0.5).
        // "y" goes first as a tie of two: qualities 0.5 → 0.75 at share 0.5, then "x": 0.75 at share 1.
        EvaluationResult result = EvaluationResult.Compute("test", [0, 0, 0, 0], Weak, Strong, ["x", "y", "x", "y"]);
        RoutingCurve groupOracle = result.GroupOracle!;
        Assert.Equal([0, 0.5, 1], groupOracle.Points.Select(p => p.StrongShare));
        Assert.Equal([0.5, 0.75, 0.75], groupOracle.Points.Select(p => p.Quality));

        // PGR 0 → 1 over [0, 0.5], then 1: area 0.25 + 0.5.
        Assert.Equal(0.75, groupOracle.Apgr, 12);
        Assert.Equal(0.25, groupOracle.CallPerformanceThreshold(0.5), 12);
    }

    [Fact]
    public void GroupOracle_NeedsTwoGroups()
    {
        Assert.Null(EvaluationResult.Compute("test", [0, 0, 0, 0], Weak, Strong, ["x", "x", "x", "x"]).GroupOracle);
        Assert.Null(EvaluationResult.Compute("test", [0, 0, 0, 0], Weak, Strong).GroupOracle);
    }

    [Fact]
    public void EqualQualities_AreAClearError()
    {
        CliException e = Assert.Throws<CliException>(() => RoutingCurve.Compute([1, 2], [1, 0], [0, 1]));
        Assert.Contains("same quality", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibrate_PicksTheThresholdForTheShare()
    {
        double[] scores = [0.9, 0.8, 0.8, 0.3, 0.1];
        Assert.Equal((0.9, 0.2), Commands.CalibrateCommand.ThresholdFor(scores, 0.4));
        Assert.Equal((0.8, 0.6), Commands.CalibrateCommand.ThresholdFor(scores, 0.6));
        Assert.Equal(0, Commands.CalibrateCommand.ThresholdFor(scores, 0.1).ActualShare);
        Assert.Equal((0.1, 1.0), Commands.CalibrateCommand.ThresholdFor(scores, 1));
    }
}
