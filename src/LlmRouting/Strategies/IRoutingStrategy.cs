namespace LlmRouting;

/// <summary>Chooses where a request goes, or abstains so the next strategy in the chain decides.</summary>
/// <remarks>
/// <para>
/// Strategies run in the configured order after candidate filtering; the first one that returns a
/// decision wins, and the router's default target ends the chain. A strategy only ever sees targets that
/// passed every filter, so it cannot break a capability or data policy.
/// </para>
/// <para>
/// Implementations must be thread-safe. They are plain classes: a unit test can construct one, build a
/// <see cref="RoutingRequest"/> and a <see cref="RouteCandidates"/> and call <see cref="DecideAsync"/>
/// with no DI container and no network.
/// </para>
/// </remarks>
public interface IRoutingStrategy
{
    /// <summary>Gets the strategy's name, as recorded in <see cref="RouteInfo.Strategy"/>.</summary>
    string Name { get; }

    /// <summary>Decides where <paramref name="request"/> goes.</summary>
    /// <param name="request">The request and its features.</param>
    /// <param name="candidates">The targets that can serve the request.</param>
    /// <param name="cancellationToken">The request's cancellation token.</param>
    /// <returns>A decision, or <see langword="null"/> to abstain.</returns>
    ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken);
}
