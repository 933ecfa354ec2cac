using System.ComponentModel.DataAnnotations;

namespace LlmRouting.Learning;

/// <summary>Settings of label recording (<see cref="RoutingLabels"/>).</summary>
public sealed class RoutingLabelOptions
{
    /// <summary>Gets or sets the most labels the in-memory store keeps (ignored when another store is registered).</summary>
    /// <value>The default is 100 000.</value>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = InMemoryRoutingLabelStore.DefaultCapacity;

    /// <summary>Gets or sets the most completed routes whose features are kept, waiting for an outcome score (the oldest forgotten first).</summary>
    /// <value>The default is 4096.</value>
    [Range(0, 1_000_000)]
    public int PendingRoutes { get; set; } = 4096;

    /// <summary>Gets or sets the embedding size of the features.</summary>
    /// <value>The default is 4096, the adaptive router's.</value>
    [Range(32, 8192)]
    public int Dimensions { get; set; } = 4096;

    /// <summary>Gets or sets a value indicating whether labels carry the request's latest user message (<see cref="RoutingLabel.Text"/>).</summary>
    /// <value>The default is <see langword="false"/>: labels hold features and a fingerprint only. Turn it on only where storing prompts is allowed.</value>
    public bool IncludeText { get; set; }
}
