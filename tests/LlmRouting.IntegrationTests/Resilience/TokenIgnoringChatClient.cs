using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.IntegrationTests;

/// <summary>A provider client that ignores cancellation: the official client underneath is called with <see cref="CancellationToken.None"/>.</summary>
internal sealed class TokenIgnoringChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, options, CancellationToken.None);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, CancellationToken.None))
        {
            yield return update;
        }
    }
}
