namespace LlmRouting.Strategies;

/// <summary>The load strategies' configuration when they are turned on by name in <c>LlmRouting:Strategies</c>; bound from <c>LlmRouting:Load</c>.</summary>
public sealed class ConfiguredLoadOptions
{
    /// <summary>Gets the targets the load-aware strategies (<c>least-in-flight</c>, <c>lowest-latency</c>, <c>power-of-two</c>) balance over.</summary>
    /// <value>The default is empty: every candidate.</value>
    public IList<string> Targets { get; } = [];

    /// <summary>Gets the load tracking settings (smoothing, warm-up), used when code sets up no load tracking of its own.</summary>
    public LoadTrackingOptions Tracking { get; } = new();

    /// <summary>Gets the weighted split's weights and sticky key (<c>weighted-split</c>).</summary>
    public WeightedSplitOptions WeightedSplit { get; } = new();

    /// <summary>Gets the consistent hashing's key, ring size and targets (<c>consistent-hash</c>).</summary>
    public ConsistentHashOptions ConsistentHash { get; } = new();
}
