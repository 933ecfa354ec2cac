namespace LlmRouting.Audits;

/// <summary>How one audit ended (ids, names, verdict and cost; no content).</summary>
public sealed class QualityAuditEventArgs : EventArgs
{
    /// <summary>Initializes a new instance of the <see cref="QualityAuditEventArgs"/> class.</summary>
    /// <param name="routeId">The audited route.</param>
    /// <param name="target">The target whose answer was audited.</param>
    /// <param name="reference">The reference target.</param>
    /// <param name="result"><c>completed</c>, <c>failed</c> or <c>cancelled</c>.</param>
    /// <param name="verdict">The verdict, when completed.</param>
    /// <param name="cost">What the audit cost.</param>
    public QualityAuditEventArgs(string routeId, string target, string reference, string result, AuditVerdict? verdict, decimal cost)
    {
        RouteId = routeId;
        Target = target;
        Reference = reference;
        Result = result;
        Verdict = verdict;
        Cost = cost;
    }

    /// <summary>Gets the audited route's id.</summary>
    public string RouteId { get; }

    /// <summary>Gets the target whose answer was audited.</summary>
    public string Target { get; }

    /// <summary>Gets the reference target.</summary>
    public string Reference { get; }

    /// <summary>Gets how the audit ended: <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public string Result { get; }

    /// <summary>Gets the verdict, when completed.</summary>
    public AuditVerdict? Verdict { get; }

    /// <summary>Gets what the audit cost.</summary>
    public decimal Cost { get; }
}
