using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// Wraps a target's provider client, inside every target decorator, and stamps what the provider itself produced, so
/// the router can tell a fresh answer from one a cache between it and the provider replayed (MEAI's
/// <c>DistributedCachingChatClient</c> added with <c>DecorateTargets</c>): a cache stores the stamp as JSON, and a
/// replayed answer carries it back as a <see cref="System.Text.Json.JsonElement"/> instead of the live value.
/// It stamps only targets whose decorators include such a cache (<see cref="EnableFor"/>); elsewhere it costs nothing.
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

    /// <summary>Gets or sets a value indicating whether answers are stamped; off, the stamp passes calls through without a cost.</summary>
    /// <value>Set once the target's decorators are known: on when one of them is a cache that does not mark its own hits.</value>
    public bool Enabled { get; set; }

    /// <summary>Turns the stamp on when <paramref name="decorated"/> (the target's client with every decorator) holds a MEAI <see cref="CachingChatClient"/> other than the router's own exact cache, which marks its hits itself.</summary>
    public void EnableFor(IChatClient decorated) =>
        Enabled = (decorated.GetService(typeof(CachingChatClient)) is CachingChatClient cache && cache is not ExactCacheChatClient)
            || decorated.GetService(typeof(DistributedCachingChatClient)) is not null; // also when the router's own cache sits outside it

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Enabled ? StampAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Enabled ? StampStreamAsync(messages, options, cancellationToken) : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async Task<ChatResponse> StampAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        (response.AdditionalProperties ??= [])[Key] = Fresh;
        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StampStreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
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
