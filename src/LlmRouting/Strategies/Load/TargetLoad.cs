namespace LlmRouting.Strategies;

/// <summary>A snapshot of one target's load: calls in flight, smoothed latency and failures.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="InFlight">Calls currently in flight.</param>
/// <param name="LatencyEwma">The exponentially weighted moving average latency (time to first update for streams), or <see langword="null"/> before the first sample.</param>
/// <param name="Samples">Completed calls measured.</param>
/// <param name="Failures">Calls that failed (a caller's cancellation is not a failure).</param>
public readonly record struct TargetLoad(string Target, long InFlight, TimeSpan? LatencyEwma, long Samples, long Failures);
