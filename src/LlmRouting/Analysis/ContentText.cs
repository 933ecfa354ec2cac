using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>
/// Reads every piece of text a message part carries — text, reasoning, tool-call names and arguments, tool results
/// of any shape, text attachments, URIs, errors — and hands each piece to a <see cref="ContentText.ISink"/>.
/// </summary>
/// <remarks>
/// <para>
/// Tool values are walked, never <c>ToString()</c>-ed (an object's own <c>ToString</c> may recurse or return its type
/// name): strings, numbers and other span-formattable values, <see cref="JsonElement"/>, <see cref="JsonNode"/>,
/// dictionaries (keys and values), sequences, and nested <see cref="AIContent"/>. Any other object is serialized
/// the way Microsoft.Extensions.AI serializes tool results (<see cref="AIJsonUtilities.DefaultOptions"/>, cycles
/// ignored) and the JSON walked. The walk stops at <see cref="MaxDepth"/> levels and <see cref="MaxNodes"/> values;
/// what it could not read is counted in <see cref="Walk.Unread"/> so a policy can fail closed.
/// </para>
/// <para>Linear in the size of the value; text goes to the sink without concatenation.</para>
/// </remarks>
internal static class ContentText
{
    /// <summary>The deepest nesting walked (that of <see cref="JsonSerializerOptions.MaxDepth"/>'s default).</summary>
    public const int MaxDepth = 64;

    /// <summary>The most values walked in one request.</summary>
    public const int MaxNodes = 200_000;

    private static readonly JsonSerializerOptions SerializerOptions = new(AIJsonUtilities.DefaultOptions)
    {
        MaxDepth = MaxDepth,
        ReferenceHandler = ReferenceHandler.IgnoreCycles,
    };

    /// <summary>Receives each piece of text.</summary>
    public interface ISink
    {
        /// <summary>Receives one piece of text.</summary>
        /// <param name="text">The text.</param>
        void Text(ReadOnlySpan<char> text);
    }

    /// <summary>Returns whether a data attachment holds text (text/*, JSON, XML, YAML, CSV, form data).</summary>
    /// <param name="data">The attachment.</param>
    /// <returns><see langword="true"/> for text media types.</returns>
    public static bool IsText(DataContent data) =>
        data.HasTopLevelMediaType("text") ||
        data.MediaType.Contains("json", StringComparison.OrdinalIgnoreCase) ||
        data.MediaType.Contains("xml", StringComparison.OrdinalIgnoreCase) ||
        data.MediaType.Contains("yaml", StringComparison.OrdinalIgnoreCase) ||
        data.MediaType.Contains("csv", StringComparison.OrdinalIgnoreCase) ||
        data.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>The state of one walk: the values visited so far, the containers on the current path, and what could not be read.</summary>
    public sealed class Walk
    {
        private HashSet<object>? _path;

        /// <summary>Gets the number of values visited.</summary>
        public int Nodes { get; internal set; }

        /// <summary>Gets the number of values that could not be read (too deep, too many, not serializable).</summary>
        public int Unread { get; internal set; }

        internal bool Enter(object container)
        {
            _path ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
            return _path.Add(container);
        }

        internal void Leave(object container) => _path!.Remove(container);
    }

    /// <summary>Sends the text of one message part to <paramref name="sink"/>.</summary>
    /// <param name="content">The part.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="walk">The walk state (shared across a request, so the limits hold for the whole request).</param>
    public static void Content<TSink>(AIContent content, TSink sink, Walk walk)
        where TSink : ISink
    {
        switch (content)
        {
            case TextContent text:
                Send(text.Text, sink);
                break;
            case TextReasoningContent reasoning:
                Send(reasoning.Text, sink);
                break;
            case FunctionCallContent call:
                Send(call.Name, sink);
                if (call.Arguments is { } arguments)
                {
                    Value(arguments, sink, walk, 1);
                }

                break;
            case FunctionResultContent result:
                Value(result.Result, sink, walk, 1);
                break;
            case DataContent data:
                if (data.MediaType.Contains("json", StringComparison.OrdinalIgnoreCase) && TryParse(data.Data, out JsonDocument? document))
                {
                    // Walked as JSON so escapes ("\uff14") are read as the characters they stand for.
                    using (document)
                    {
                        Json(document.RootElement, sink, walk, 1);
                    }
                }
                else if (IsText(data))
                {
                    Utf8(data.Data.Span, sink);
                }

                break;
            case UriContent uri:
                Send(uri.Uri.OriginalString, sink);
                break;
            case ErrorContent error:
                Send(error.Message, sink);
                Send(error.Details, sink);
                break;
            case UsageContent or HostedFileContent or HostedVectorStoreContent:
                break;
            default:
                // Any other part (tool-approval requests, MCP and hosted-tool calls and results, custom parts): its serialized form.
                Serialized(content, typeof(AIContent), sink, walk, 1);
                break;
        }
    }

    /// <summary>Sends the text of a tool value (an argument or a result) to <paramref name="sink"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="walk">The walk state.</param>
    /// <param name="depth">The nesting depth of <paramref name="value"/>.</param>
    public static void Value<TSink>(object? value, TSink sink, Walk walk, int depth)
        where TSink : ISink
    {
        if (value is null)
        {
            return;
        }

        if (++walk.Nodes > MaxNodes || depth > MaxDepth)
        {
            walk.Unread++;
            return;
        }

        switch (value)
        {
            case string s:
                Send(s, sink);
                return;
            case bool or byte[] or ReadOnlyMemory<byte> or Memory<byte>:
                return;
            case char c:
                sink.Text([c]);
                return;
            case JsonElement element:
                Json(element, sink, walk, depth);
                return;
            case JsonDocument document:
                Json(document.RootElement, sink, walk, depth);
                return;
            case JsonNode node:
                Node(node, sink, walk, depth);
                return;
            case AIContent content:
                if (walk.Enter(content))
                {
                    Content(content, sink, walk);
                    walk.Leave(content);
                }

                return;
            case ISpanFormattable formattable:
                Formatted(formattable, sink, walk);
                return;
            case IDictionary dictionary:
                if (walk.Enter(dictionary))
                {
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        Value(entry.Key, sink, walk, depth + 1);
                        Value(entry.Value, sink, walk, depth + 1);
                    }

                    walk.Leave(dictionary);
                }

                return;
            case IEnumerable sequence:
                if (walk.Enter(sequence))
                {
                    foreach (object? item in sequence)
                    {
                        if (walk.Nodes > MaxNodes)
                        {
                            walk.Unread++;
                            break;
                        }

                        Value(item, sink, walk, depth + 1);
                    }

                    walk.Leave(sequence);
                }

                return;
            default:
                Serialized(value, value.GetType(), sink, walk, depth);
                return;
        }
    }

    private static void Send<TSink>(string? text, TSink sink)
        where TSink : ISink
    {
        if (!string.IsNullOrEmpty(text))
        {
            sink.Text(text);
        }
    }

    private static void Utf8<TSink>(ReadOnlySpan<byte> bytes, TSink sink)
        where TSink : ISink
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        char[] buffer = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(bytes.Length));
        try
        {
            int length = Encoding.UTF8.GetChars(bytes, buffer);
            sink.Text(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static bool TryParse(ReadOnlyMemory<byte> utf8, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    private static void Formatted<TSink>(ISpanFormattable value, TSink sink, Walk walk)
        where TSink : ISink
    {
        Span<char> buffer = stackalloc char[128];
        if (value.TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture))
        {
            sink.Text(buffer[..written]);
        }
        else
        {
            walk.Unread++;
        }
    }

    private static void Json<TSink>(JsonElement element, TSink sink, Walk walk, int depth)
        where TSink : ISink
    {
        if (depth > MaxDepth || ++walk.Nodes > MaxNodes)
        {
            walk.Unread++;
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                Send(element.GetString(), sink);
                break;
            case JsonValueKind.Number:
                sink.Text(element.GetRawText());
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Send(property.Name, sink);
                    Json(property.Value, sink, walk, depth + 1);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Json(item, sink, walk, depth + 1);
                }

                break;
        }
    }

    private static void Node<TSink>(JsonNode node, TSink sink, Walk walk, int depth)
        where TSink : ISink
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (KeyValuePair<string, JsonNode?> property in obj)
                {
                    Send(property.Key, sink);
                    if (property.Value is { } child)
                    {
                        Value(child, sink, walk, depth + 1);
                    }
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    if (item is not null)
                    {
                        Value(item, sink, walk, depth + 1);
                    }
                }

                break;
            case JsonValue leaf:
                if (leaf.TryGetValue(out string? text))
                {
                    Send(text, sink);
                }
                else if (leaf.TryGetValue(out JsonElement element))
                {
                    Json(element, sink, walk, depth);
                }
                else
                {
                    Send(leaf.ToJsonString(SerializerOptions), sink);
                }

                break;
        }
    }

    private static void Serialized<TSink>(object value, Type type, TSink sink, Walk walk, int depth)
        where TSink : ISink
    {
        JsonElement element;
        try
        {
            element = JsonSerializer.SerializeToElement(value, type, SerializerOptions);
        }
#pragma warning disable CA1031 // Any failure of a foreign object's serialization means "could not read", counted for the policy.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            walk.Unread++;
            return;
        }

        Json(element, sink, walk, depth);
    }
}
