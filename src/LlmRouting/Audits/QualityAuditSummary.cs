using LlmRouting.Accounting;

namespace LlmRouting.Audits;

/// <summary>A snapshot of a <see cref="QualityAuditor"/>'s counters: what was sampled, queued, dropped, capped, audited, and the match rate.</summary>
public sealed record QualityAuditSummary
{
    /// <summary>Gets the routes sampled for an audit (served below the top tier, answer kept).</summary>
    public long Sampled { get; init; }

    /// <summary>Gets the audits queued.</summary>
    public long Enqueued { get; init; }

    /// <summary>Gets the audits dropped because the queue was full.</summary>
    public long Dropped { get; init; }

    /// <summary>Gets the audits skipped because the day's spend cap was reached.</summary>
    public long Capped { get; init; }

    /// <summary>Gets the audits skipped because no reference target may receive the request (e.g. a sensitive request and no allowed target).</summary>
    public long Skipped { get; init; }

    /// <summary>Gets the audits that ended with a verdict.</summary>
    public long Completed { get; init; }

    /// <summary>Gets the audits that failed (the reference or the judge failed, timed out, or broke the parse contract).</summary>
    public long Failed { get; init; }

    /// <summary>Gets the audits cancelled by shutdown, running or still queued.</summary>
    public long Cancelled { get; init; }

    /// <summary>Gets the verdicts and cost over every audit.</summary>
    public RoutingAuditTotals Totals { get; init; } = RoutingAuditTotals.Empty;

    /// <summary>Gets the verdicts and cost by audited target.</summary>
    public IReadOnlyDictionary<string, RoutingAuditTotals> ByTarget { get; init; } = new Dictionary<string, RoutingAuditTotals>();

    /// <summary>Gets the verdicts and cost by task type.</summary>
    public IReadOnlyDictionary<string, RoutingAuditTotals> ByTask { get; init; } = new Dictionary<string, RoutingAuditTotals>();

    /// <summary>Gets the share of audits where the cheaper answer matched or beat the reference (0 without audits).</summary>
    public double MatchRate => Totals.MatchRate;
}
