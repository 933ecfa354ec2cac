using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>
/// A stream being continued elsewhere after it broke: created at the first break that may be continued, from what the
/// first segment streamed. Later segments' updates are rewritten to the first segment's ids, so the caller sees one message.
/// </summary>
internal sealed class StreamSplice
{
    private readonly string? _messageId;
    private readonly string? _responseId;

    /// <param name="firstSegment">The updates the first segment streamed.</param>
    public StreamSplice(ReadOnlySpan<ChatResponseUpdate> firstSegment)
    {
        foreach (ChatResponseUpdate update in firstSegment)
        {
            _messageId ??= update.MessageId;
            _responseId ??= update.ResponseId;
        }
    }

    public int Segments { get; private set; } = 1;

    /// <summary>The type name of the first non-text content streamed, if any: then the stream cannot be continued.</summary>
    public static string? NonTextContent(ReadOnlySpan<ChatResponseUpdate> streamed)
    {
        foreach (ChatResponseUpdate update in streamed)
        {
            foreach (AIContent content in update.Contents.Indexed())
            {
                if (content is not TextContent and not UsageContent)
                {
                    return content.GetType().Name;
                }
            }
        }

        return null;
    }

    /// <summary>Gives an update of a continuation segment the first segment's ids.</summary>
    public void Rewrite(ChatResponseUpdate update)
    {
        update.MessageId = _messageId ?? update.MessageId;
        update.ResponseId = _responseId ?? update.ResponseId;
    }

    /// <summary>Builds the continuation request: the original messages, the partial answer as an assistant message, then the instruction.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="streamed">Everything streamed so far, every segment.</param>
    /// <param name="instruction">The continue instruction.</param>
    public List<ChatMessage> ContinuationMessages(IEnumerable<ChatMessage> messages, ReadOnlySpan<ChatResponseUpdate> streamed, string instruction)
    {
        Segments++;
        var text = new StringBuilder();
        foreach (ChatResponseUpdate update in streamed)
        {
            foreach (AIContent content in update.Contents.Indexed())
            {
                if (content is TextContent part)
                {
                    text.Append(part.Text);
                }
            }
        }

        List<ChatMessage> continued = [.. messages];
        if (text.Length > 0)
        {
            continued.Add(new ChatMessage(ChatRole.Assistant, text.ToString()));
        }

        continued.Add(new ChatMessage(ChatRole.User, instruction));
        return continued;
    }
}
