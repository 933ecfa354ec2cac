using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Execution;

/// <summary>
/// A view of a target's client whose calls and stream moves are raced against their token (<see cref="CancellationRace"/>),
/// for callers that hold only a client (MEAI's failover loop). It owns nothing: disposing it leaves the target's client alone.
/// </summary>
internal sealed class RacingChatClient(IChatClient target) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        CancellationRace.GetResponseAsync(target, messages, options, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = new RacedEnumerator<ChatResponseUpdate>(target.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken), cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            while (await updates.MoveNextAsync().ConfigureAwait(false))
            {
                yield return updates.Current;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => target.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // A view: the target's client belongs to the router's registry.
    }
}
