namespace LlmRouting;

/// <summary>Is told about every routed request once it has ended, asynchronously and off the caller's path: for observers that write to a database, a queue or a remote service.</summary>
/// <remarks>
/// <para>
/// Register one with <c>AddAsyncObserver</c>. The router never waits for it: each completed route is put on the observer's
/// own bounded queue (<see cref="AsyncRouteObserverOptions.QueueCapacity"/>) and one background loop hands the routes to
/// <see cref="OnRouteCompletedAsync"/> one at a time, in completion order. A full queue drops the route (counted and
/// logged, never blocking the caller); a call that runs past <see cref="AsyncRouteObserverOptions.Timeout"/> is cancelled;
/// an exception is logged with its type only and the next route follows. When the router's container is disposed the
/// queue is drained for up to <see cref="AsyncRouteObserverOptions.DrainTimeout"/>.
/// </para>
/// <para>The route holds no prompt or answer text. One call at a time per observer, so an implementation needs no locking of its own for that.</para>
/// </remarks>
public interface IAsyncRouteObserver
{
    /// <summary>Called once, in the background, for each routed request that has ended.</summary>
    /// <param name="route">The route, with outcome, usage, cost and attempts final.</param>
    /// <param name="cancellationToken">Cancelled when the call runs past its timeout, or when the drain at shutdown runs out.</param>
    /// <returns>A task that completes when the observer is done with the route.</returns>
    ValueTask OnRouteCompletedAsync(RouteInfo route, CancellationToken cancellationToken);
}
