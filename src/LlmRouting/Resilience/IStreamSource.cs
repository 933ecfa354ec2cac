using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>Where one segment of a routed stream comes from: its updates, the attempt serving them, and the chain's untried targets.</summary>
internal interface IStreamSource : IDisposable
{
    /// <summary>Gets the attempt serving (or last trying to serve) the stream; <see langword="null"/> before the first.</summary>
    TargetAttempt? Attempt { get; }

    /// <summary>Gets the targets of the chain not tried yet.</summary>
    IReadOnlyList<RouteTarget> Remaining { get; }

    /// <summary>Streams the answer; failures before the first update fall over inside, later ones surface.</summary>
    IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken);
}
