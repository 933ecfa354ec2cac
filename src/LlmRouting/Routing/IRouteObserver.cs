namespace LlmRouting;

/// <summary>Is told about every routed request once it has ended (answered, failed, cancelled or abandoned).</summary>
/// <remarks>
/// The hook for ledgers, audit trails, budgets, learned statistics and metrics. Called on the request's
/// thread after the last byte; keep it fast and non-blocking. Exceptions are caught and logged by the
/// router, never surfaced to the caller. Implementations must be thread-safe.
/// </remarks>
public interface IRouteObserver
{
    /// <summary>Called once when a routed request has ended.</summary>
    /// <param name="route">The route, with outcome, usage, cost and attempts final.</param>
    void OnRouteCompleted(RouteInfo route);
}
