using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Tracks what a stream has delivered so far, so that a broken plain-text stream can be continued elsewhere:
/// the text, whether anything other than text was streamed, and the ids later segments are rewritten to.
/// </summary>
internal sealed class StreamSplice
{
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly StringBuilder _text = new();
    private readonly List<ChatResponseUpdate> _streamed = [];

    public StreamSplice(IEnumerable<ChatMessage> messages)
    {
        _messages = messages;
    }

    /// <summary>Gets the type name of the first non-text content streamed, if any: then the stream cannot be continued.</summary>
    public string? NonTextContent { get; private set; }

    public IReadOnlyList<ChatResponseUpdate> Streamed => _streamed;

    public int Segments { get; private set; } = 1;

    private string? MessageId { get; set; }

    private string? ResponseId { get; set; }

    /// <summary>Records an update about to reach the caller; in a continuation segment, rewrites its ids to the first segment's so the caller sees one message.</summary>
    public void Observe(ChatResponseUpdate update)
    {
        if (Segments > 1)
        {
            update.MessageId = MessageId ?? update.MessageId;
            update.ResponseId = ResponseId ?? update.ResponseId;
        }
        else
        {
            MessageId ??= update.MessageId;
            ResponseId ??= update.ResponseId;
        }

        _streamed.Add(update);
        foreach (AIContent content in update.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    _text.Append(text.Text);
                    break;
                case UsageContent:
                    break;
                default:
                    NonTextContent ??= content.GetType().Name;
                    break;
            }
        }
    }

    /// <summary>Builds the continuation request: the original messages, the partial answer as an assistant message, then the instruction.</summary>
    public List<ChatMessage> ContinuationMessages(string instruction)
    {
        Segments++;
        List<ChatMessage> messages = [.. _messages];
        if (_text.Length > 0)
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, _text.ToString()));
        }

        messages.Add(new ChatMessage(ChatRole.User, instruction));
        return messages;
    }
}
