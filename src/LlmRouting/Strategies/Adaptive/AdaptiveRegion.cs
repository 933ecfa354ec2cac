namespace LlmRouting.Strategies;

/// <summary>The evidence pooled in one region of request space: how far its labels sit from the calibrated default score.</summary>
/// <param name="Labels">The (weighted) number of labels in the region.</param>
/// <param name="Residual">The sum of label − calibrated prior over those labels (probability units).</param>
/// <param name="Curvature">The sum of p(1 − p) of the calibrated prior over those labels (converts residuals to log-odds).</param>
/// <param name="Squares">The sum of squared residuals (the noise of the region's mean).</param>
/// <remarks>
/// The region's raw shift in log-odds is <c>d = Residual / Curvature</c> with sampling variance <c>s² = Squares / Curvature²</c>;
/// the model shrinks it toward 0 (the prior) by the empirical-Bayes factor <c>τ² / (τ² + s²)</c>, where τ² is the spread of
/// true shifts between regions estimated from all regions. A region without labels has shift 0: the calibrated prior.
/// </remarks>
public readonly record struct AdaptiveRegion(double Labels, double Residual, double Curvature, double Squares)
{
    /// <summary>Gets the raw shift in log-odds (0 without labels).</summary>
    public double RawShift => Curvature > 0 ? Residual / Curvature : 0;

    /// <summary>Gets the sampling variance of <see cref="RawShift"/> (infinite without labels).</summary>
    public double Variance => Curvature > 0 ? Math.Max(Squares, 1e-9) / (Curvature * Curvature) : double.PositiveInfinity;

    /// <summary>Gets the shrunk shift in log-odds for a between-region variance <paramref name="tau2"/>.</summary>
    /// <param name="tau2">The between-region variance of true shifts (τ²).</param>
    /// <returns>The posterior mean shift.</returns>
    public double Shift(double tau2) => Curvature > 0 && tau2 > 0 ? RawShift * tau2 / (tau2 + Variance) : 0;

    /// <summary>Returns the evidence of this region and <paramref name="other"/> pooled.</summary>
    /// <param name="other">More evidence for the same region.</param>
    /// <returns>The sum.</returns>
    public AdaptiveRegion Add(AdaptiveRegion other) =>
        new(Labels + other.Labels, Residual + other.Residual, Curvature + other.Curvature, Squares + other.Squares);
}
