namespace LlmRouting.Statistics;

/// <summary>What outcome feedback remembers about a recent route: the decision and its features, no content.</summary>
/// <param name="RouteId">The route id.</param>
/// <param name="Timestamp">When the request was routed.</param>
/// <param name="Target">The target that served the request.</param>
/// <param name="Strategy">The strategy that decided.</param>
/// <param name="Context">The request's context, from the <see cref="IRouteContextSelector"/>.</param>
/// <param name="Tenant">The tenant, if any.</param>
/// <param name="User">The user, if any.</param>
/// <param name="Outcome">How the request ended.</param>
/// <param name="Cost">What the request cost, if usage was reported.</param>
/// <param name="EstimatedInputTokens">The estimated input tokens of the request.</param>
/// <param name="Tags">The request's tags.</param>
public sealed record RouteFeedbackEntry(
    string RouteId,
    DateTimeOffset Timestamp,
    string Target,
    string Strategy,
    string Context,
    string? Tenant,
    string? User,
    RouteOutcome Outcome,
    decimal? Cost,
    int EstimatedInputTokens,
    IReadOnlyList<string> Tags);
