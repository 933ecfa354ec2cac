using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting;

/// <summary>Carries out a routing decision against the targets; the default tries the primary only, fallback executors walk the chain.</summary>
/// <remarks>An executor makes every call through the <see cref="RouteExecution"/>'s attempt API, which records it (attempts, usage and cost) and who served.</remarks>
internal abstract class RouteExecutor
{
    /// <summary>Gets how the chain of targets to try is built for one execution; <see langword="null"/> for the decision's primary alone.</summary>
    public virtual Func<RouteExecution, IReadOnlyList<RouteTarget>>? ChainBuilder => null;

    public abstract Task<ChatResponse> GetResponseAsync(RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);

    public abstract IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);
}
