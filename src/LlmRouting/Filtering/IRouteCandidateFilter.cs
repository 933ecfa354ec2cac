namespace LlmRouting;

/// <summary>Removes targets that cannot serve a request, before any strategy runs.</summary>
/// <remarks>
/// Filters are the router's hard guarantees (capabilities, context window, data policy, health, budget):
/// a target a filter rejects is never tried for that request, not even as a fallback. Implementations
/// must be thread-safe and cheap: they run for every target on every request.
/// </remarks>
public interface IRouteCandidateFilter
{
    /// <summary>Gets the filter's name, as recorded in <see cref="CandidateRejection.Filter"/>.</summary>
    string Name { get; }

    /// <summary>Decides whether <paramref name="target"/> may serve <paramref name="request"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="target">The target.</param>
    /// <param name="reason">Why not, when the target is rejected.</param>
    /// <returns><see langword="true"/> if the target may serve the request.</returns>
    bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason);
}
