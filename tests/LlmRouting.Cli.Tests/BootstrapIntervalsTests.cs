using LlmRouting.Cli;
using LlmRouting.Cli.Evaluation;

namespace LlmRouting.Cli.Tests;

public class BootstrapIntervalsTests
{
    [Fact]
    public void IdenticalGroups_GiveAZeroWidthIntervalAtTheFigures()
    {
        // Two groups holding the same four prompts: every resample is the data twice over, so every curve is the same.
        double[] scores = [0.9, 0.5, 0.1, 0.8, 0.9, 0.5, 0.1, 0.8];
        double[] weak = [0, 1, 1, 0, 0, 1, 1, 0];
        double[] strong = [1, 1, 0, 1, 1, 1, 0, 1];
        RoutingCurve curve = RoutingCurve.Compute(scores, weak, strong);

        BootstrapIntervals intervals = BootstrapIntervals.Compute(scores, weak, strong, ["a", "a", "a", "a", "b", "b", "b", "b"], 200, 0.95, seed: 3);

        Assert.Equal("group", intervals.Unit);
        Assert.Equal(2, intervals.Units);
        Assert.Equal(0, intervals.Skipped);
        Assert.Equal(curve.Apgr, intervals.Apgr.Lower, 12);
        Assert.Equal(curve.Apgr, intervals.Apgr.Upper, 12);
        Assert.Equal(curve.CallPerformanceThreshold(0.5), intervals.Cpt50.Lower, 12);
        Assert.Equal(curve.CallPerformanceThreshold(0.8), intervals.Cpt80.Upper, 12);
    }

    [Fact]
    public void SameSeed_GivesTheSameIntervals_AndAnotherSeedOthers()
    {
        (double[] scores, double[] weak, double[] strong, string[] groups) = Subjects(groups: 12, perGroup: 40, seed: 5);

        BootstrapIntervals first = BootstrapIntervals.Compute(scores, weak, strong, groups, 300, 0.95, seed: 1);
        BootstrapIntervals again = BootstrapIntervals.Compute(scores, weak, strong, groups, 300, 0.95, seed: 1);
        BootstrapIntervals other = BootstrapIntervals.Compute(scores, weak, strong, groups, 300, 0.95, seed: 2);

        Assert.Equal(first.Apgr, again.Apgr);
        Assert.Equal(first.Cpt50, again.Cpt50);
        Assert.NotEqual(first.Apgr, other.Apgr);
    }

    [Fact]
    public void Intervals_CoverTheFigures_AndWidenWithTheLevel()
    {
        (double[] scores, double[] weak, double[] strong, string[] groups) = Subjects(groups: 20, perGroup: 50, seed: 8);
        RoutingCurve curve = RoutingCurve.Compute(scores, weak, strong);

        BootstrapIntervals ninety = BootstrapIntervals.Compute(scores, weak, strong, groups, 500, 0.90, seed: 4);
        BootstrapIntervals ninetyNine = BootstrapIntervals.Compute(scores, weak, strong, groups, 500, 0.99, seed: 4);

        Assert.True(ninety.Apgr.Contains(curve.Apgr), $"{ninety.Apgr} should contain {curve.Apgr}");
        Assert.True(ninety.Cpt50.Contains(curve.CallPerformanceThreshold(0.5)));
        Assert.True(ninety.Apgr.Lower < ninety.Apgr.Upper);
        Assert.True(ninetyNine.Apgr.Lower <= ninety.Apgr.Lower && ninetyNine.Apgr.Upper >= ninety.Apgr.Upper);
    }

    [Fact]
    public void ResamplingWholeGroups_IsWiderThanResamplingPrompts_WhenTheSignalIsPerGroup()
    {
        // The score only knows each group's gain; between-group differences dominate, so prompts are not independent.
        (double[] scores, double[] weak, double[] strong, string[] groups) = Subjects(groups: 15, perGroup: 60, seed: 13);

        BootstrapIntervals byGroup = BootstrapIntervals.Compute(scores, weak, strong, groups, 400, 0.95, seed: 6);
        BootstrapIntervals byPrompt = BootstrapIntervals.Compute(scores, weak, strong, [.. groups.Select(_ => "one file")], 400, 0.95, seed: 6);

        Assert.Equal("prompt", byPrompt.Unit);
        Assert.Equal(scores.Length, byPrompt.Units);
        Assert.True(
            byGroup.Apgr.Upper - byGroup.Apgr.Lower > 1.5 * (byPrompt.Apgr.Upper - byPrompt.Apgr.Lower),
            $"by group {byGroup.Apgr}, by prompt {byPrompt.Apgr}");
    }

    [Fact]
    public void ResamplesWithEqualQualities_AreSkippedAndCounted()
    {
        // Group "same": both models right (no gap). A resample drawing it twice has an undefined PGR (probability 1/4).
        double[] scores = [0.2, 0.4, 0.6, 0.8];
        double[] weak = [1, 1, 0, 1];
        double[] strong = [1, 1, 1, 1];
        string[] groups = ["same", "same", "gain", "gain"];

        BootstrapIntervals intervals = BootstrapIntervals.Compute(scores, weak, strong, groups, 400, 0.95, seed: 9);

        Assert.InRange(intervals.Skipped, 60, 140);
        Assert.Equal(400, intervals.Resamples);
    }

    [Fact]
    public void EveryResampleUndefined_IsAClearError()
    {
        // Each group's gains cancel (+1 and −1), so no resample has a performance gap to recover.
        double[] scores = [0.2, 0.4, 0.6, 0.8];
        double[] weak = [1, 0, 0, 1];
        double[] strong = [0, 1, 1, 0];

        CliException e = Assert.Throws<CliException>(() => BootstrapIntervals.Compute(scores, weak, strong, ["a", "a", "b", "b"], 100, 0.95, seed: 1));
        Assert.Equal("Every bootstrap resample had equal strong and weak quality; no interval can be computed.", e.Message);
    }

    [Theory]
    [InlineData(50, 0.95, "--bootstrap must be 0 (no intervals) or at least 100 (was 50).")]
    [InlineData(-1, 0.95, "--bootstrap must be 0 (no intervals) or at least 100 (was -1).")]
    [InlineData(1000, 1.0, "--confidence must be between 0 and 1, exclusive (was 1).")]
    [InlineData(1000, 0, "--confidence must be between 0 and 1, exclusive (was 0).")]
    [InlineData(0, double.NaN, "--confidence must be between 0 and 1, exclusive (was NaN).")]
    public void Settings_OutOfRange_AreRejectedByName(int resamples, double level, string message)
    {
        CliException e = Assert.Throws<CliException>(() => BootstrapIntervals.Validate(resamples, level));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Quantile_InterpolatesBetweenSortedValues()
    {
        Assert.Equal(1.75, BootstrapIntervals.Quantile([1, 2, 3, 4], 0.25), 12);
        Assert.Equal(1, BootstrapIntervals.Quantile([1, 2, 3, 4], 0), 12);
        Assert.Equal(4, BootstrapIntervals.Quantile([1, 2, 3, 4], 1), 12);
        Assert.Equal(7, BootstrapIntervals.Quantile([7], 0.975), 12);
    }

    /// <summary>Synthetic subjects: each group has its own weak accuracy and gain; the score is the group's gain plus noise.</summary>
    private static (double[] Scores, double[] Weak, double[] Strong, string[] Groups) Subjects(int groups, int perGroup, int seed)
    {
        var random = new Random(seed);
        int n = groups * perGroup;
        double[] scores = new double[n], weak = new double[n], strong = new double[n];
        string[] names = new string[n];
        for (int g = 0; g < groups; g++)
        {
            double weakAccuracy = 0.4 + (0.5 * random.NextDouble());
            double gain = -0.2 + (0.5 * random.NextDouble());
            for (int j = 0; j < perGroup; j++)
            {
                int i = (g * perGroup) + j;
                names[i] = $"subject{g}";
                weak[i] = random.NextDouble() < weakAccuracy ? 1 : 0;
                strong[i] = random.NextDouble() < Math.Clamp(weakAccuracy + gain, 0, 1) ? 1 : 0;
                scores[i] = gain + (0.05 * random.NextDouble());
            }
        }

        return (scores, weak, strong, names);
    }
}
