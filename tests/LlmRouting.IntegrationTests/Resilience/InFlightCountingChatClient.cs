using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.IntegrationTests;

/// <summary>A target decorator that counts calls in flight; a stream is in flight until it is disposed.</summary>
internal sealed class InFlightCountingChatClient(IChatClient inner, InFlightCounter counter) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        counter.Enter();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        finally
        {
            counter.Exit();
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        counter.Enter();
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            counter.Exit();
        }
    }
}
