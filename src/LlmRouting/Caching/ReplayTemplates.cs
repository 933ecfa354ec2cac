using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// Parsed copies of recently replayed cache entries, so a hit on a plain-text answer is a few object copies instead of a
/// JSON parse. A template is used only when the bytes the cache returned are the very bytes it was parsed from; anything
/// but plain text (tool calls, images, properties, raw objects) is always parsed.
/// </summary>
/// <remarks>Thread-safe; bounded (cleared when full). Holds answers only as long as the cache itself could return them.</remarks>
internal sealed class ReplayTemplates(int capacity = 1024)
{
    private readonly ConcurrentDictionary<string, Template> _templates = new(StringComparer.Ordinal);

    /// <summary>Returns a new response for a stored entry: a copy of the template when <paramref name="stored"/> matches it, else parsed (and remembered).</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="stored">The bytes the cache returned.</param>
    /// <returns>A response no other caller holds.</returns>
    public ChatResponse Replay(string key, byte[] stored)
    {
        if (_templates.TryGetValue(key, out Template? template) && template.Bytes.AsSpan().SequenceEqual(stored))
        {
            return template.Response is { } shape ? Copy(shape) : CachedResponses.Deserialize(stored);
        }

        ChatResponse response = CachedResponses.Deserialize(stored);
        if (_templates.Count >= capacity)
        {
            _templates.Clear();
        }

        _templates[key] = new Template(stored, IsPlainText(response) ? Copy(response) : null);
        return response;
    }

    /// <summary>Gets a value indicating whether <see cref="Copy"/> reproduces every serialized part of the response.</summary>
    /// <param name="response">A deserialized response.</param>
    /// <returns><see langword="true"/> for text-only messages without properties, annotations or continuation.</returns>
    internal static bool IsPlainText(ChatResponse response)
    {
        if (response.AdditionalProperties is { Count: > 0 } || response.ContinuationToken is not null || response.Usage?.AdditionalCounts is { Count: > 0 })
        {
            return false;
        }

        foreach (ChatMessage message in response.Messages)
        {
            if (message.AdditionalProperties is { Count: > 0 })
            {
                return false;
            }

            foreach (AIContent content in message.Contents.Indexed())
            {
                if (content.GetType() != typeof(TextContent) || content.AdditionalProperties is { Count: > 0 } || content.Annotations is { Count: > 0 })
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>A new response with new messages and contents (the usage object is shared: a replay reads it, then removes it).</summary>
    /// <param name="response">A plain-text response (<see cref="IsPlainText"/>).</param>
    /// <returns>The copy.</returns>
    internal static ChatResponse Copy(ChatResponse response)
    {
        var messages = new List<ChatMessage>(response.Messages.Count);
        foreach (ChatMessage message in response.Messages)
        {
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (AIContent content in message.Contents.Indexed())
            {
                contents.Add(new TextContent(((TextContent)content).Text));
            }

            messages.Add(new ChatMessage(message.Role, contents) { AuthorName = message.AuthorName, MessageId = message.MessageId, CreatedAt = message.CreatedAt });
        }

        return CachedResponses.WithMessages(response, messages);
    }

    private sealed record Template(byte[] Bytes, ChatResponse? Response);
}
