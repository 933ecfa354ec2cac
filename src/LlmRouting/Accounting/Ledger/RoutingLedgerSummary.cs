namespace LlmRouting.Accounting;

/// <summary>A snapshot of a <see cref="IRoutingLedger"/>: overall totals and the same totals broken down by target, strategy, user and tenant.</summary>
public sealed class RoutingLedgerSummary
{
    /// <summary>The key under which requests that named no tenant or user are grouped.</summary>
    public const string NoTenant = RequestValidation.NoTenant;

    /// <summary>Initializes a new instance of the <see cref="RoutingLedgerSummary"/> class.</summary>
    /// <param name="totals">The overall totals.</param>
    /// <param name="byTarget">Totals by serving target.</param>
    /// <param name="byStrategy">Totals by deciding strategy.</param>
    /// <param name="byUser">Totals by user.</param>
    /// <param name="byTenant">Totals by tenant.</param>
    public RoutingLedgerSummary(
        RoutingLedgerTotals totals,
        IReadOnlyDictionary<string, RoutingLedgerTotals> byTarget,
        IReadOnlyDictionary<string, RoutingLedgerTotals> byStrategy,
        IReadOnlyDictionary<string, RoutingLedgerTotals> byUser,
        IReadOnlyDictionary<string, RoutingLedgerTotals> byTenant)
    {
        ArgumentNullException.ThrowIfNull(totals);
        ArgumentNullException.ThrowIfNull(byTarget);
        ArgumentNullException.ThrowIfNull(byStrategy);
        ArgumentNullException.ThrowIfNull(byUser);
        ArgumentNullException.ThrowIfNull(byTenant);
        Totals = totals;
        ByTarget = byTarget;
        ByStrategy = byStrategy;
        ByUser = byUser;
        ByTenant = byTenant;
    }

    /// <summary>Gets the overall totals.</summary>
    public RoutingLedgerTotals Totals { get; }

    /// <summary>Gets the totals by serving target.</summary>
    public IReadOnlyDictionary<string, RoutingLedgerTotals> ByTarget { get; }

    /// <summary>Gets the totals by deciding strategy.</summary>
    public IReadOnlyDictionary<string, RoutingLedgerTotals> ByStrategy { get; }

    /// <summary>Gets the totals by user (<see cref="NoTenant"/> for requests that named none).</summary>
    public IReadOnlyDictionary<string, RoutingLedgerTotals> ByUser { get; }

    /// <summary>Gets the totals by tenant (<see cref="NoTenant"/> for requests that named none).</summary>
    public IReadOnlyDictionary<string, RoutingLedgerTotals> ByTenant { get; }

    /// <summary>Gets the quality-audit totals (<c>UseQualityAudits</c>): audits, match rate and their own cost, not included in <see cref="Totals"/>.</summary>
    /// <value>The default is <see cref="RoutingAuditTotals.Empty"/>.</value>
    public RoutingAuditTotals Audits { get; init; } = RoutingAuditTotals.Empty;

    /// <summary>Gets the audit totals by audited target.</summary>
    public IReadOnlyDictionary<string, RoutingAuditTotals> AuditsByTarget { get; init; } = new Dictionary<string, RoutingAuditTotals>();

    /// <summary>Gets the audit totals by task type.</summary>
    public IReadOnlyDictionary<string, RoutingAuditTotals> AuditsByTask { get; init; } = new Dictionary<string, RoutingAuditTotals>();

    /// <summary>Gets each serving target's share of the requests (the model mix), from 0 to 1.</summary>
    public IReadOnlyDictionary<string, double> ModelMix =>
        Totals.Requests == 0
            ? new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
            : ByTarget.ToDictionary(kv => kv.Key, kv => (double)kv.Value.Requests / Totals.Requests, StringComparer.OrdinalIgnoreCase);
}
