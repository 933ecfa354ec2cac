using System.Collections.Concurrent;

namespace LlmRouting.IntegrationTests;

/// <summary>Collects every completed route.</summary>
internal sealed class CollectingObserver : IRouteObserver
{
    private readonly ConcurrentQueue<RouteInfo> _routes = new();

    public IReadOnlyCollection<RouteInfo> Routes => _routes;

    public void OnRouteCompleted(RouteInfo route) => _routes.Enqueue(route);
}
