namespace LlmRouting.Accounting;

/// <summary>Feeds every completed route into the registered <see cref="IRoutingLedger"/>.</summary>
internal sealed class LedgerRouteObserver(IRoutingLedger ledger) : IRouteObserver
{
    public void OnRouteCompleted(RouteInfo route) => ledger.Record(route);
}
