namespace LlmRouting;

/// <summary>One call to one target while serving a request.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="Duration">Time spent in the call.</param>
/// <param name="TimeToFirstToken">For streams, the time to the first update.</param>
/// <param name="Error">The exception type name, when it failed (never its message, which may hold content).</param>
/// <param name="Cost">What the attempt cost: from the usage the target reported, or an estimate (see <paramref name="IsCostEstimated"/>).</param>
/// <param name="IsCostEstimated">
/// Whether <paramref name="Cost"/> is an estimate: the attempt ended without reporting usage (a hedged attempt that lost,
/// a stream broken or abandoned after output) and was charged the request's estimated input tokens plus the estimated
/// tokens of the text it produced.
/// </param>
public sealed record RouteAttempt(
    string Target,
    RouteAttemptOutcome Outcome,
    TimeSpan Duration,
    TimeSpan? TimeToFirstToken = null,
    string? Error = null,
    decimal? Cost = null,
    bool IsCostEstimated = false);
