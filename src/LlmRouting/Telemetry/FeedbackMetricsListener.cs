using LlmRouting.Learning;
using LlmRouting.Statistics;

namespace LlmRouting.Telemetry;

/// <summary>Records every outcome score reported through <see cref="RouteFeedback"/> on the <c>llmrouting.feedback.score</c> histogram.</summary>
internal sealed class FeedbackMetricsListener : IRouteOutcomeListener
{
    private readonly RoutingMetrics _metrics;

    public FeedbackMetricsListener(RoutingMetrics metrics)
    {
        _metrics = metrics;
    }

    public ValueTask OnOutcomeAsync(RouteFeedbackEntry route, double score, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        _metrics.RecordFeedback(route.Target, route.Strategy, score);
        return default;
    }
}
