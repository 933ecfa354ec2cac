using Polly.CircuitBreaker;

namespace LlmRouting.Resilience;

/// <summary>The health of one target: its circuit state and, when open, until when it cools down.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="State">The circuit state.</param>
/// <param name="OpenUntil">When an open circuit lets a probe through again.</param>
/// <param name="LastFailure">The type name of the failure that last opened the circuit (never its message).</param>
public sealed record TargetHealth(string Target, CircuitState State, DateTimeOffset? OpenUntil, string? LastFailure)
{
    /// <summary>Gets a value indicating whether the target accepts calls (closed or half-open: probing).</summary>
    public bool IsAvailable => State is CircuitState.Closed or CircuitState.HalfOpen;
}
