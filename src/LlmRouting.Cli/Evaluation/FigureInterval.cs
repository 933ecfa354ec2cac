namespace LlmRouting.Cli.Evaluation;

/// <summary>A percentile interval of one figure across bootstrap resamples.</summary>
/// <param name="Lower">The lower bound.</param>
/// <param name="Upper">The upper bound.</param>
internal readonly record struct FigureInterval(double Lower, double Upper)
{
    /// <summary>Whether <paramref name="value"/> lies inside the interval (bounds included).</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;
}
