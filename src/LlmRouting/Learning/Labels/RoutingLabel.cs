namespace LlmRouting.Learning;

/// <summary>One piece of evidence about how much a request needed a stronger target: from an audit, an outcome or an escalation.</summary>
/// <param name="RouteId">The route the label is about.</param>
/// <param name="Timestamp">When the label was made.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Target">The target that served the request.</param>
/// <param name="Tier">That target's tier.</param>
/// <param name="Task">The request's task: the caller's <c>task</c> metadata when given (e.g. a topic), else the analyzer's task type (e.g. <c>code</c>).</param>
/// <param name="DefaultScore">The request's default premium-need score (<see cref="Analysis.RequestAnalysis.PremiumNeed"/>).</param>
/// <param name="PremiumNeed">
/// The label, in [0, 1]: 1 = the served answer fell short of what a stronger target gave (an audit the reference won, an
/// escalation, an outcome score of 0 below the top tier), 0 = it matched or beat it; <see langword="null"/> when the
/// label says nothing about premium need (an outcome of a request the top tier served).
/// </param>
/// <param name="Score">The outcome score or the audit verdict as a score for the served answer (1 better, 0.5 tie, 0 worse), if any.</param>
/// <param name="Features">The request's features (sparse local embedding), never its text.</param>
/// <param name="Fingerprint">A SHA-256 prefix of the request's latest user message: recognises repeats, reveals nothing by itself.</param>
/// <remarks>Holds no prompt or answer text unless <see cref="Text"/> was explicitly enabled (<see cref="RoutingLabelOptions.IncludeText"/>).</remarks>
public sealed record RoutingLabel(
    string RouteId,
    DateTimeOffset Timestamp,
    RoutingLabelSource Source,
    string Target,
    QualityTier Tier,
    string Task,
    double DefaultScore,
    double? PremiumNeed,
    double? Score,
    RoutingLabelFeatures Features,
    string Fingerprint)
{
    /// <summary>Gets the reference target an audit compared with, if any.</summary>
    public string? Reference { get; init; }

    /// <summary>Gets the highest tier among the request's candidates (the tier an audit's reference has at most).</summary>
    /// <value>The default is <see cref="QualityTier.Premium"/>.</value>
    public QualityTier TopTier { get; init; } = QualityTier.Premium;

    /// <summary>Gets the version of the adaptive model that decided the route, if any.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets the request's latest user message; <see langword="null"/> unless <see cref="RoutingLabelOptions.IncludeText"/> is on.</summary>
    public string? Text { get; init; }
}
