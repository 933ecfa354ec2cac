namespace LlmRouting;

/// <summary>One call to one target while serving a request.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="Duration">Time spent in the call.</param>
/// <param name="TimeToFirstToken">For streams, the time to the first update.</param>
/// <param name="Error">The exception type name, when it failed (never its message, which may hold content).</param>
/// <param name="Cost">What the attempt cost, when the target reported usage.</param>
public sealed record RouteAttempt(
    string Target,
    RouteAttemptOutcome Outcome,
    TimeSpan Duration,
    TimeSpan? TimeToFirstToken = null,
    string? Error = null,
    decimal? Cost = null);
