namespace LlmRouting.Telemetry;

/// <summary>Records the routing metrics of every request when it ends: an ordinary route observer, first in the router's list.</summary>
internal sealed class MetricsRouteObserver : IRouteObserver
{
    private readonly RoutingMetrics _metrics;

    public MetricsRouteObserver(RoutingMetrics metrics)
    {
        _metrics = metrics;
    }

    public void OnRouteCompleted(RouteInfo route) => _metrics.Record(route);
}
