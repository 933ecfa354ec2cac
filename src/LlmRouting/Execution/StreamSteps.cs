using Microsoft.Extensions.AI;

namespace LlmRouting.Execution;

/// <summary>Small helpers the streaming executors share.</summary>
internal static class StreamSteps
{
#pragma warning disable CA1031 // The failure is captured here and rethrown (or wrapped, or failed over) by the caller, outside its iterator's try.
    /// <summary>The next update (<see langword="null"/> at the end), or the failure; reading <see cref="IAsyncEnumerator{T}.Current"/> is part of the step, as in MEAI's failover loop.</summary>
    public static async ValueTask<(ChatResponseUpdate? Update, Exception? Failure)> MoveNextAsync(IAsyncEnumerator<ChatResponseUpdate> updates)
    {
        try
        {
            return !await updates.MoveNextAsync().ConfigureAwait(false) ? (null, null) :
                updates.Current is { } update ? (update, null) :
                (null, new InvalidOperationException("The stream produced a null update."));
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    /// <summary>Starts a stream; a synchronous throw becomes the stream's first failure, as MEAI's loop would observe it.</summary>
    public static IAsyncEnumerator<ChatResponseUpdate> Start(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        try
        {
            return client.GetStreamingResponseAsync(messages, options, token).GetAsyncEnumerator(token);
        }
        catch (Exception ex)
        {
            return Failed(ex).GetAsyncEnumerator(token);
        }

        static async IAsyncEnumerable<ChatResponseUpdate> Failed(Exception failure)
        {
            await Task.FromException(failure).ConfigureAwait(false);
            yield break;
        }
    }
#pragma warning restore CA1031

    /// <summary>The characters of text an update carries.</summary>
    public static long TextLength(ChatResponseUpdate update)
    {
        long length = 0;
        foreach (AIContent content in update.Contents.Indexed())
        {
            if (content is TextContent text)
            {
                length += text.Text.Length;
            }
        }

        return length;
    }
}
