namespace LlmRouting.Statistics;

/// <summary>Learns from outcomes reported for routes (e.g. the bandit strategy).</summary>
public interface IRouteOutcomeListener
{
    /// <summary>Called once per route when its outcome is recorded.</summary>
    /// <param name="route">The route's decision and features.</param>
    /// <param name="score">The outcome score, from 0 (bad) to 1 (good).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the outcome is stored.</returns>
    ValueTask OnOutcomeAsync(RouteFeedbackEntry route, double score, CancellationToken cancellationToken);
}
