namespace LlmRouting.Strategies;

/// <summary>One labelled request as the adaptive router learns from it: its features, never its text.</summary>
/// <param name="Embedding">The request's local embedding (<see cref="Embeddings.LocalEmbeddingGenerator"/>, L2-normalised).</param>
/// <param name="DefaultScore">The default premium-need score of the request (<see cref="Analysis.RequestAnalysis.PremiumNeed"/>), in [0, 1].</param>
/// <param name="PremiumNeed">The label: 1 = the premium answer was needed (the economy one fell short), 0 = the economy answer matched or beat it, 0.5 = a tie; any value in [0, 1].</param>
/// <param name="Weight">The label's weight (1 for one observation).</param>
/// <param name="Group">The example's known group (a topic, a task, a source file), if any: with <see cref="AdaptiveTrainingOptions.GroupRegions"/> each group is a region.</param>
public readonly record struct AdaptiveExample(ReadOnlyMemory<float> Embedding, double DefaultScore, double PremiumNeed, double Weight = 1, string? Group = null);
