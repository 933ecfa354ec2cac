using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Carries out a routing decision against the targets; the default tries the primary only, fallback executors walk the list.</summary>
/// <remarks>An executor records every call it makes in <see cref="RouteInfo"/> (attempts, usage and cost) and sets the target that served.</remarks>
internal abstract class RouteExecutor
{
    public abstract Task<ChatResponse> GetResponseAsync(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);

    public abstract IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);
}
