namespace LlmRouting.Accounting;

/// <summary>One quality audit as the ledger counts it (no content).</summary>
/// <param name="Tenant">The request's tenant, if any.</param>
/// <param name="Target">The target whose answer was audited.</param>
/// <param name="Task">The request's task type (e.g. <c>code</c>).</param>
/// <param name="Matched">Whether the answer matched or beat the reference; <see langword="null"/> when the audit ended without a verdict (it still cost).</param>
/// <param name="Cost">What the audit cost.</param>
public readonly record struct RoutingAuditEntry(string? Tenant, string Target, string Task, bool? Matched, decimal Cost);
