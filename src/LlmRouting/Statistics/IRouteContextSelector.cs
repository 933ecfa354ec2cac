namespace LlmRouting.Statistics;

/// <summary>Maps a request to the context a learning strategy keeps separate statistics for (e.g. <c>code|long</c>).</summary>
/// <remarks>
/// Outcome feedback stores the context of every route and the learning strategy reads it when deciding, so both must use
/// the same selector (the container's, by default). Keep the number of distinct contexts small — each one is learned
/// separately — and never put prompt text in a context: contexts end up in statistics keys, logs and span reasons.
/// </remarks>
public interface IRouteContextSelector
{
    /// <summary>Gets the context of <paramref name="request"/>.</summary>
    /// <param name="request">The request.</param>
    /// <returns>A short, content-free context key.</returns>
    string SelectContext(RoutingRequest request);
}
