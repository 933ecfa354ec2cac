using System.Diagnostics.CodeAnalysis;

namespace LlmRouting.Cli.Evaluation;

/// <summary>
/// The cost–quality curve of a router on labelled prompts and RouteLLM's figures: APGR, CPT(x).
/// </summary>
/// <remarks>
/// Prompts are sent to the strong model in decreasing score order. Prompts with equal scores move together
/// (a threshold cannot split them), so the curve has a point at each tie-group boundary and is linear in
/// between — exactly the expected curve when ties are broken at random. APGR is the trapezoidal area under
/// PGR over the strong share in [0, 1]; CPT(x) is the smallest share where the (interpolated) PGR reaches x.
/// </remarks>
internal sealed class RoutingCurve
{
    private RoutingCurve(IReadOnlyList<CurvePoint> points, double weakQuality, double strongQuality)
    {
        Points = points;
        WeakQuality = weakQuality;
        StrongQuality = strongQuality;
        Apgr = Area(points);
    }

    /// <summary>Gets the curve's points at every tie-group boundary, from share 0 to 1.</summary>
    public IReadOnlyList<CurvePoint> Points { get; }

    /// <summary>Gets the quality when every prompt goes to the weak model.</summary>
    public double WeakQuality { get; }

    /// <summary>Gets the quality when every prompt goes to the strong model.</summary>
    public double StrongQuality { get; }

    /// <summary>Gets the average performance gap recovered (area under PGR versus strong share).</summary>
    public double Apgr { get; }

    /// <summary>Builds the curve.</summary>
    /// <param name="scores">The router's score per prompt (higher = more reason to use the strong model).</param>
    /// <param name="weak">The weak model's outcome per prompt.</param>
    /// <param name="strong">The strong model's outcome per prompt.</param>
    /// <returns>The curve.</returns>
    /// <exception cref="CliException">The inputs are empty, of different lengths, contain NaN, or both models have the same quality.</exception>
    public static RoutingCurve Compute(ReadOnlySpan<double> scores, ReadOnlySpan<double> weak, ReadOnlySpan<double> strong) =>
        Build(scores, weak, strong, throwWhenUndefined: true)!;

    /// <summary>Builds the curve, or returns <see langword="false"/> when both models have the same quality (PGR undefined).</summary>
    /// <param name="scores">The router's score per prompt.</param>
    /// <param name="weak">The weak model's outcome per prompt.</param>
    /// <param name="strong">The strong model's outcome per prompt.</param>
    /// <param name="curve">The curve, when defined.</param>
    /// <returns>Whether the curve is defined.</returns>
    /// <exception cref="CliException">The inputs are empty.</exception>
    public static bool TryCompute(ReadOnlySpan<double> scores, ReadOnlySpan<double> weak, ReadOnlySpan<double> strong, [NotNullWhen(true)] out RoutingCurve? curve)
    {
        curve = Build(scores, weak, strong, throwWhenUndefined: false);
        return curve is not null;
    }

    private static RoutingCurve? Build(ReadOnlySpan<double> scores, ReadOnlySpan<double> weak, ReadOnlySpan<double> strong, bool throwWhenUndefined)
    {
        int n = scores.Length;
        if (n == 0)
        {
            throw new CliException("The dataset is empty: there is nothing to evaluate.");
        }

        if (weak.Length != n || strong.Length != n)
        {
            throw new ArgumentException("Scores and outcomes must have the same length.", nameof(scores));
        }

        double weakSum = 0, strongSum = 0;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(scores[i]))
            {
                throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            }

            weakSum += weak[i];
            strongSum += strong[i];
        }

        double weakQuality = weakSum / n;
        double strongQuality = strongSum / n;
        double gap = strongQuality - weakQuality;
        if (Math.Abs(gap) < 1e-12)
        {
            if (!throwWhenUndefined)
            {
                return null;
            }

            throw new CliException($"The strong and weak models have the same quality ({weakQuality:0.####}) on this data; the performance gap recovered is undefined.");
        }

        int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        double[] keys = scores.ToArray();
        Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]) is var c and not 0 ? c : a.CompareTo(b));

        var points = new List<CurvePoint>(n + 1) { new(0, weakQuality, 0, double.PositiveInfinity) };
        double sum = weakSum;
        int k = 0;
        while (k < n)
        {
            double threshold = keys[order[k]];
            while (k < n && keys[order[k]] == threshold)
            {
                sum += strong[order[k]] - weak[order[k]];
                k++;
            }

            double quality = sum / n;
            points.Add(new CurvePoint((double)k / n, quality, (quality - weakQuality) / gap, threshold));
        }

        return new RoutingCurve(points, weakQuality, strongQuality);
    }

    /// <summary>The smallest strong share at which PGR reaches <paramref name="pgr"/>, interpolating linearly between points.</summary>
    /// <param name="pgr">The target PGR, e.g. 0.5.</param>
    /// <returns>The share in [0, 1].</returns>
    public double CallPerformanceThreshold(double pgr)
    {
        if (Points[0].Pgr >= pgr)
        {
            return 0;
        }

        for (int i = 1; i < Points.Count; i++)
        {
            CurvePoint a = Points[i - 1];
            CurvePoint b = Points[i];
            if (b.Pgr >= pgr)
            {
                return b.Pgr == a.Pgr ? b.StrongShare : a.StrongShare + ((pgr - a.Pgr) / (b.Pgr - a.Pgr) * (b.StrongShare - a.StrongShare));
            }
        }

        return 1;
    }

    /// <summary>The quality at a strong share, interpolating linearly between points.</summary>
    /// <param name="share">The share in [0, 1].</param>
    /// <returns>The quality.</returns>
    public double QualityAt(double share)
    {
        for (int i = 1; i < Points.Count; i++)
        {
            CurvePoint a = Points[i - 1];
            CurvePoint b = Points[i];
            if (share <= b.StrongShare)
            {
                double t = b.StrongShare == a.StrongShare ? 1 : (share - a.StrongShare) / (b.StrongShare - a.StrongShare);
                return a.Quality + (t * (b.Quality - a.Quality));
            }
        }

        return Points[^1].Quality;
    }

    /// <summary>The threshold that sends at most <paramref name="share"/> of prompts to the strong model (the largest such share a threshold can reach).</summary>
    /// <param name="share">The wanted share in [0, 1].</param>
    /// <returns>The threshold and the share it actually sends.</returns>
    public (double Threshold, double ActualShare) ThresholdForShare(double share)
    {
        CurvePoint best = Points[0];
        foreach (CurvePoint point in Points)
        {
            if (point.StrongShare <= share + 1e-12)
            {
                best = point;
            }
        }

        return (best.Threshold, best.StrongShare);
    }

    private static double Area(IReadOnlyList<CurvePoint> points)
    {
        double area = 0;
        for (int i = 1; i < points.Count; i++)
        {
            area += (points[i].StrongShare - points[i - 1].StrongShare) * (points[i].Pgr + points[i - 1].Pgr) / 2;
        }

        return area;
    }
}
