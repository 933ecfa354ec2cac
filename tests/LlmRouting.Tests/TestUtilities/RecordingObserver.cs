using System.Collections.Concurrent;

namespace LlmRouting.Tests;

/// <summary>Collects every completed route.</summary>
public sealed class RecordingObserver : IRouteObserver
{
    private readonly ConcurrentQueue<RouteInfo> _routes = new();

    public IReadOnlyCollection<RouteInfo> Routes => _routes;

    public void OnRouteCompleted(RouteInfo route) => _routes.Enqueue(route);
}
