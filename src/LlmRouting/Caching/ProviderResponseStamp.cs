using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// Wraps a target's provider client, inside every target decorator, and stamps what the provider itself produced, so
/// the router can tell a fresh answer from one a cache between it and the provider replayed (MEAI's
/// <c>DistributedCachingChatClient</c> added with <c>DecorateTargets</c>): a cache stores the stamp as JSON, and a
/// replayed answer carries it back as a <see cref="System.Text.Json.JsonElement"/> instead of the live value.
/// </summary>
/// <remarks>The stamp is content-free (a constant). The router removes it from a response; on a stream it stays on the first update, because a cache stores a stream's updates only after the router has read them.</remarks>
internal sealed class ProviderResponseStamp : DelegatingChatClient
{
    /// <summary>The additional-properties key of the stamp.</summary>
    public const string Key = "llmrouting.provider";

    /// <summary>The live value: this very instance means the provider produced the answer just now.</summary>
    public static readonly string Fresh = new([.. "fresh"]);

    public ProviderResponseStamp(IChatClient innerClient)
        : base(innerClient)
    {
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        (response.AdditionalProperties ??= [])[Key] = Fresh;
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        bool stamped = false;
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (!stamped)
            {
                // The first update is enough: a cache keeps it (or folds it into the message it stores).
                (update.AdditionalProperties ??= [])[Key] = Fresh;
                stamped = true;
            }

            yield return update;
        }
    }
}
