namespace LlmRouting.Accounting;

/// <summary>Accumulates what routed requests cost and saved, per tenant, user, target and strategy, and answers queries over the totals.</summary>
/// <remarks>
/// Fed by the router once per completed request (see <see cref="LedgerLlmRouterBuilderExtensions.UseLedger(LlmRouterBuilder)"/>).
/// Holds counts, tokens and money only — never prompt or response text. Implementations must be thread-safe.
/// </remarks>
public interface IRoutingLedger
{
    /// <summary>Adds one completed route to the totals.</summary>
    /// <param name="route">The route, with outcome, usage and cost final.</param>
    void Record(RouteInfo route);

    /// <summary>Gets the totals, for every tenant or for one.</summary>
    /// <param name="tenant">
    /// The tenant to report on; <see langword="null"/> for the whole ledger. A tenant's summary holds only that tenant's
    /// requests (use <see cref="RoutingLedgerSummary.NoTenant"/> for requests that named none).
    /// </param>
    /// <returns>A consistent snapshot of the totals.</returns>
    RoutingLedgerSummary GetSummary(string? tenant = null);

    /// <summary>Gets the totals of one agent session (<see cref="RouteInfo.Session"/>): its calls, tokens and cost.</summary>
    /// <param name="session">The session (conversation id or session metadata).</param>
    /// <returns>The totals, or <see langword="null"/> when the session is unknown or the ledger does not keep sessions.</returns>
    RoutingLedgerTotals? GetSessionTotals(string session) => null;

    /// <summary>Adds one quality audit to the audit totals (kept apart from the requests' totals).</summary>
    /// <param name="audit">The audit.</param>
    void RecordAudit(RoutingAuditEntry audit)
    {
    }
}
