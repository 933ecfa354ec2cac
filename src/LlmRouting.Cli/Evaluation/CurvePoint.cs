namespace LlmRouting.Cli.Evaluation;

/// <summary>One point of a cost–quality curve.</summary>
/// <param name="StrongShare">The share of prompts sent to the strong model, in [0, 1].</param>
/// <param name="Quality">The mean outcome at that share.</param>
/// <param name="Pgr">The performance gap recovered: (quality − weak) / (strong − weak).</param>
/// <param name="Threshold">The score threshold (send to strong when score ≥ threshold); +∞ at share 0.</param>
internal sealed record CurvePoint(double StrongShare, double Quality, double Pgr, double Threshold);
