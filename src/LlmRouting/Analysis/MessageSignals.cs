using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>
/// Reads one message's signals, and fingerprints a message so a later step can tell it is unchanged: the history's memo
/// (<see cref="HistoryMemo"/>) keeps each stable message's reading, so step 50 of a 100 KB history reads only what is new.
/// </summary>
/// <remarks>
/// <para>
/// A reading is reused only while the message is provably unchanged — the same role, the same content objects in the
/// same order, the same text strings (immutable), the same tool-call name and argument values, the same tool-result
/// value — and only when every one of those values is immutable (strings, <see cref="JsonElement"/>, numbers,
/// booleans). A message holding anything mutable (a nested dictionary, a list, an object) is read again every time, so
/// personal data added anywhere in the history is always seen.
/// </para>
/// </remarks>
internal static class MessageSignals
{
    /// <summary>Reads one message: user text fully, every other part that carries text for personal data only.</summary>
    public static TextSignals Read(ChatMessage message, float weight)
    {
        var signals = new TextSignals();
        ReadInto(signals, message, weight);
        return signals;
    }

    /// <summary>
    /// Reads one message into <paramref name="signals"/>. Into an empty accumulator this is exactly <see cref="Read"/> added to it;
    /// into a non-empty one the float sums may round differently from adding the message's own reading, so callers read into fresh accumulators only.
    /// </summary>
    public static void ReadInto(TextSignals signals, ChatMessage message, float weight)
    {
        ContentText.Walk? walk = null; // only for parts that are not plain text
        bool user = message.Role == ChatRole.User;
        foreach (AIContent content in message.Contents.Indexed())
        {
            if (content is TextContent { Text: { } text })
            {
                signals.Scan(text, weight, piiOnly: !user);
            }
            else
            {
                ContentText.Content(content, new PiiSink(signals, weight), walk ??= new ContentText.Walk());
            }
        }

        signals.Unread += walk?.Unread ?? 0;
    }

    private readonly struct PiiSink(TextSignals signals, float weight) : ContentText.ISink
    {
        public void Text(ReadOnlySpan<char> text) => signals.Scan(text, weight, piiOnly: true);
    }

    /// <summary>The references that make up a message, when all of them are immutable.</summary>
    internal static class Fingerprint
    {
        public static object[]? TryTake(ChatMessage message)
        {
            var parts = new List<object?> { message.Role.Value, Count(message.Contents.Count) };
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
                        parts.Add(Count(call.Arguments?.Count ?? 0));
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
            // The same walk as TryTake, compared as it goes (no allocation; the parts by index, a span for the usual
            // List). Strings compare by reference: a string is immutable, so the same instance is the same text.
            IList<AIContent> contents = message.Contents;
            int count = contents.Count;
            if (fingerprint.Length < 2 || !ReferenceEquals(fingerprint[0], message.Role.Value ?? Null) || !SameCount(fingerprint[1], count))
            {
                return false;
            }

            int i = 2;
            if (contents is List<AIContent> list)
            {
                foreach (AIContent content in CollectionsMarshal.AsSpan(list))
                {
                    if (!SameContent(fingerprint, ref i, content))
                    {
                        return false;
                    }
                }
            }
            else
            {
                for (int c = 0; c < count; c++)
                {
                    if (!SameContent(fingerprint, ref i, contents[c]))
                    {
                        return false;
                    }
                }
            }

            return i == fingerprint.Length;
        }

        private static bool SameContent(object[] fingerprint, ref int i, AIContent content) =>
            Same(fingerprint, ref i, content) && content switch
            {
                TextContent t => Same(fingerprint, ref i, t.Text),
                FunctionCallContent call => SameCall(fingerprint, ref i, call),
                FunctionResultContent result => Same(fingerprint, ref i, result.Result),
                _ => false,
            };

        private static bool SameCall(object[] fingerprint, ref int i, FunctionCallContent call)
        {
            if (!Same(fingerprint, ref i, call.Name) || !Same(fingerprint, ref i, call.Arguments) || i >= fingerprint.Length
                || !SameCount(fingerprint[i++], call.Arguments?.Count ?? 0))
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

        /// <summary>The boxes of the small counts, shared: a fingerprint's count compares by reference, without reading a box of its own.</summary>
        private static readonly object[] Counts = [.. Enumerable.Range(0, 16).Select(n => (object)n)];

        private static object Count(int count) => (uint)count < (uint)Counts.Length ? Counts[count] : count;

        private static bool SameCount(object kept, int count) =>
            (uint)count < (uint)Counts.Length ? ReferenceEquals(kept, Counts[count]) : kept is int n && n == count;
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
