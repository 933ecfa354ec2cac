namespace LlmRouting.Strategies;

/// <summary>The scalar parameters of an <see cref="AdaptiveModel"/> (everything but the centroids and regions).</summary>
internal sealed record AdaptiveModelParameters(
    string Version,
    int Dimensions,
    double Slope,
    double Intercept,
    double Tau2,
    int Neighbours,
    double Temperature,
    double GateLow,
    double GateHigh,
    string? Description,
    IReadOnlyDictionary<string, string> Training,
    double ShiftScale = 1)
{
    public static AdaptiveModelParameters Untrained(string version) =>
        new(version, Embeddings.LocalEmbeddingGenerator.DefaultDimensions, 1, 0, 0, 1, 1, 0, 0, null, new Dictionary<string, string>());
}
