using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>
/// What the analyzer read in each message, kept with the message object so an agent's next step re-reads only what is
/// new: step 50 of a 100 KB history costs what its new messages cost.
/// </summary>
/// <remarks>
/// <para>
/// Kept safely: an entry is reused only while the message is provably unchanged — the same role, the same content
/// objects in the same order, the same text strings (immutable), the same tool-call name and argument values, the same
/// tool-result value — and only when every one of those values is immutable (strings, <see cref="JsonElement"/>,
/// numbers, booleans). A message holding anything mutable (a nested dictionary, a list, an object) is read again every
/// time, so personal data added anywhere in the history is always seen. Entries live as long as their message (a
/// <see cref="ConditionalWeakTable{TKey, TValue}"/>): nothing to bound or expire.
/// </para>
/// </remarks>
internal static class MessageSignals
{
    private static readonly ConditionalWeakTable<ChatMessage, Entry> Cache = new();

    /// <summary>The signals of <paramref name="message"/> read at <paramref name="weight"/>, from the cache when it is unchanged.</summary>
    public static TextSignals Of(ChatMessage message, float weight)
    {
        if (Cache.TryGetValue(message, out Entry? entry) && entry.Matches(message) && entry.Get(weight) is { } cached)
        {
            return cached;
        }

        TextSignals signals = Read(message, weight);
        if (Fingerprint.TryTake(message) is { } fingerprint)
        {
            if (entry is null || !entry.Matches(message))
            {
                entry = new Entry(fingerprint);
                Cache.AddOrUpdate(message, entry);
            }

            entry.Set(weight, signals);
        }

        return signals;
    }

    /// <summary>Reads one message: user text fully, every other part that carries text for personal data only.</summary>
    public static TextSignals Read(ChatMessage message, float weight)
    {
        var signals = new TextSignals();
        var walk = new ContentText.Walk();
        bool user = message.Role == ChatRole.User;
        foreach (AIContent content in message.Contents)
        {
            if (content is TextContent { Text: { } text })
            {
                signals.Scan(text, weight, piiOnly: !user);
            }
            else
            {
                ContentText.Content(content, new PiiSink(signals, weight), walk);
            }
        }

        signals.Unread += walk.Unread;
        return signals;
    }

    private readonly struct PiiSink(TextSignals signals, float weight) : ContentText.ISink
    {
        public void Text(ReadOnlySpan<char> text) => signals.Scan(text, weight, piiOnly: true);
    }

    /// <summary>A message's signals at the two weights the analyzer uses, with the fingerprint they belong to.</summary>
    private sealed class Entry(object[] fingerprint)
    {
        private TextSignals? _latest;
        private TextSignals? _earlier;

        public bool Matches(ChatMessage message) => Fingerprint.Matches(fingerprint, message);

        public TextSignals? Get(float weight) => weight == 1f ? Volatile.Read(ref _latest) : Volatile.Read(ref _earlier);

        public void Set(float weight, TextSignals signals)
        {
            if (weight == 1f)
            {
                Volatile.Write(ref _latest, signals);
            }
            else if (weight == RequestAnalyzer.EarlierTurnWeight)
            {
                Volatile.Write(ref _earlier, signals);
            }
        }
    }

    /// <summary>The references that make up a message, when all of them are immutable.</summary>
    internal static class Fingerprint
    {
        public static object[]? TryTake(ChatMessage message)
        {
            var parts = new List<object?> { message.Role.Value, message.Contents.Count };
            foreach (AIContent content in message.Contents)
            {
                parts.Add(content);
                switch (content)
                {
                    case TextContent t:
                        parts.Add(t.Text);
                        break;
                    case FunctionCallContent call when Immutable(call.Arguments):
                        parts.Add(call.Name);
                        parts.Add(call.Arguments);
                        parts.Add(call.Arguments?.Count ?? 0);
                        foreach (KeyValuePair<string, object?> argument in call.Arguments ?? Empty)
                        {
                            parts.Add(argument.Key);
                            parts.Add(argument.Value);
                        }

                        break;
                    case FunctionResultContent result when IsImmutable(result.Result):
                        parts.Add(result.Result);
                        break;
                    default:
                        return null; // anything else may change in place: read it every time
                }
            }

            return [.. parts.Select(p => p ?? Null)];
        }

        public static bool Matches(object[] fingerprint, ChatMessage message)
        {
            // The same walk as TryTake, compared as it goes (no allocation). Strings compare by reference: a string is
            // immutable, so the same instance is the same text.
            IList<AIContent> contents = message.Contents;
            int i = 0;
            if (!Same(fingerprint, ref i, message.Role.Value) || fingerprint[i++] is not int count || count != contents.Count)
            {
                return false;
            }

            foreach (AIContent content in contents)
            {
                if (!Same(fingerprint, ref i, content))
                {
                    return false;
                }

                bool same = content switch
                {
                    TextContent t => Same(fingerprint, ref i, t.Text),
                    FunctionCallContent call => SameCall(fingerprint, ref i, call),
                    FunctionResultContent result => Same(fingerprint, ref i, result.Result),
                    _ => false,
                };
                if (!same)
                {
                    return false;
                }
            }

            return i == fingerprint.Length;
        }

        private static bool SameCall(object[] fingerprint, ref int i, FunctionCallContent call)
        {
            if (!Same(fingerprint, ref i, call.Name) || !Same(fingerprint, ref i, call.Arguments) || i >= fingerprint.Length
                || fingerprint[i++] is not int count || count != (call.Arguments?.Count ?? 0))
            {
                return false;
            }

            foreach (KeyValuePair<string, object?> argument in call.Arguments ?? Empty)
            {
                if (!Same(fingerprint, ref i, argument.Key) || !Same(fingerprint, ref i, argument.Value))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool Same(object[] fingerprint, ref int i, object? value) =>
            i < fingerprint.Length && ReferenceEquals(fingerprint[i++], value ?? Null);

        private static readonly object Null = new();
        private static readonly Dictionary<string, object?> Empty = [];

        private static bool Immutable(IDictionary<string, object?>? arguments)
        {
            foreach (KeyValuePair<string, object?> argument in arguments ?? Empty)
            {
                if (!IsImmutable(argument.Value))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsImmutable(object? value) =>
            value is null or string or JsonElement or bool or int or long or double or decimal or float;
    }
}
