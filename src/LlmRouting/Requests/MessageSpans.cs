using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>The conversation as a span when the caller's list allows it: walks over every message of every step cost no interface call per message.</summary>
internal static class MessageSpans
{
    /// <summary>Gets <paramref name="messages"/> as a span when it is an array or a <see cref="List{T}"/> (what MEAI's callers pass).</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="span">The messages, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="false"/> for any other list: index it instead.</returns>
    public static bool TryGetSpan(IReadOnlyList<ChatMessage> messages, out ReadOnlySpan<ChatMessage> span)
    {
        span = messages switch
        {
            ChatMessage[] array => array,
            List<ChatMessage> items => CollectionsMarshal.AsSpan(items),
            _ => default,
        };
        return span.Length == messages.Count;
    }
}
