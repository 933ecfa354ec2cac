namespace LlmRouting.Audits;

/// <summary>A comparer's verdict and what it cost.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Cost">What giving it cost (a judge call), 0 when free.</param>
public readonly record struct AnswerComparisonResult(AuditVerdict Verdict, decimal Cost = 0m);
