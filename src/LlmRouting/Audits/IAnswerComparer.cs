namespace LlmRouting.Audits;

/// <summary>Compares a served answer with a reference answer (an LLM judge, an exact-match check, a task-specific grader).</summary>
/// <remarks>Called off the caller's path, at most <see cref="QualityAuditOptions.MaxConcurrency"/> at once. Throw to give no verdict (the audit is counted as failed, no label recorded).</remarks>
public interface IAnswerComparer
{
    /// <summary>Compares the answers.</summary>
    /// <param name="comparison">The conversation and both answers.</param>
    /// <param name="cancellationToken">Cancelled on timeout or shutdown.</param>
    /// <returns>The verdict.</returns>
    ValueTask<AnswerComparisonResult> CompareAsync(AnswerComparison comparison, CancellationToken cancellationToken);
}
