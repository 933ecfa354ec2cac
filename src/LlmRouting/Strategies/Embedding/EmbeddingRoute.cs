namespace LlmRouting.Strategies;

/// <summary>A semantic route: example utterances that send similar requests to a target.</summary>
public sealed class EmbeddingRoute
{
    /// <summary>Gets or sets the route's name (shown in the decision reason).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the target the route sends to.</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>Gets the example utterances.</summary>
    public IList<string> Utterances { get; } = [];

    /// <summary>Gets or sets this route's similarity threshold; <see langword="null"/> for the strategy's.</summary>
    public double? Threshold { get; set; }
}
