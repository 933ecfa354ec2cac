namespace LlmRouting.Analysis;

/// <summary>Reads a request locally — no model call — into a <see cref="RequestAnalysis"/>: task, complexity, risk and personal data.</summary>
/// <remarks>Implementations must be thread-safe, allocation-light and linear in the text length.</remarks>
public interface IRequestAnalyzer
{
    /// <summary>Analyses a request: the latest user turn in full, earlier user turns weighted lower.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The analysis.</returns>
    RequestAnalysis Analyze(RoutingRequest request);

    /// <summary>Analyses a single text as if it were the only user turn (evaluation, training, offline tools).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The analysis.</returns>
    RequestAnalysis AnalyzeText(ReadOnlySpan<char> text);
}
