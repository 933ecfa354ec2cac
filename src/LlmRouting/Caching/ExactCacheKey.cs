using System.Globalization;
using System.IO.Hashing;
using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// The exact cache's key without serializing the request to JSON: everything that changes the answer (scope, messages
/// with every content kind, options with tools and schemas, metadata) is written once in a prefix-free binary
/// encoding (<see cref="CanonicalWriter"/>) and hashed twice, by XxHash128 and by the unrelated XxHash64.
/// </summary>
/// <remarks>
/// <para>
/// The key holds both hashes and the encoding's length, so two different requests share a key only if both
/// 128-bit and 64-bit hashes and the length collide at once: an answer is never served for a different request in
/// practice. (Non-cryptographic: the scope — target, tenant, user — is part of the encoding, so crafting a collision
/// could at most mislead one's own scope.)
/// </para>
/// <para>
/// Left out because they do not change the answer: message ids and timestamps, raw provider objects,
/// <see cref="ChatOptions.RawRepresentationFactory"/> and the <see cref="RequestMetadataKeys.NoCache"/> flag.
/// Metadata is written in key order, so insertion order does not matter. Content the encoding has no case for is
/// written as its type name and JSON; content that cannot be serialized throws <see cref="NotSupportedException"/>
/// (the request then bypasses the cache).
/// </para>
/// </remarks>
internal static class ExactCacheKey
{
    /// <summary>The prefix of every key; the number is the encoding's version (1 was MEAI's JSON hash).</summary>
    public const string Prefix = "llmrouting:exact:2:";

    private const long SecondSeed = unchecked((long)0x9E3779B97F4A7C15UL);

    private enum Field : byte
    {
        Scope = 1,
        Message,
        Text,
        Reasoning,
        Data,
        Uri,
        FunctionCall,
        FunctionResult,
        OtherContent,
        Options,
        NoOptions,
        Tool,
        FunctionTool,
        OtherTool,
        ToolModeNone,
        ToolModeAuto,
        ToolModeRequired,
        ToolModeOther,
        FormatText,
        FormatJson,
        FormatOther,
    }

    /// <summary>Builds the key.</summary>
    /// <param name="target">The target's name.</param>
    /// <param name="modelId">The target's model id, if any.</param>
    /// <param name="additionalValues">More scope (the tenant).</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options.</param>
    /// <returns>The key: <see cref="Prefix"/>, both hashes and the encoding's length, in hexadecimal.</returns>
    /// <exception cref="NotSupportedException">The request holds a value that cannot be encoded.</exception>
    public static string Create(string target, string? modelId, ReadOnlySpan<object?> additionalValues, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        using var writer = new CanonicalWriter();
        Write(writer, target, modelId, additionalValues, messages, options);
        ReadOnlySpan<byte> bytes = writer.Written;
        UInt128 first = XxHash128.HashToUInt128(bytes);
        ulong second = XxHash64.HashToUInt64(bytes, SecondSeed);
        int length = bytes.Length;
        return string.Create(Prefix.Length + 32 + 16 + 8, (first, second, length), static (span, state) =>
        {
            Prefix.CopyTo(span);
            Span<char> rest = span[Prefix.Length..];
            ((ulong)(state.first >> 64)).TryFormat(rest, out _, "x16", CultureInfo.InvariantCulture);
            ((ulong)state.first).TryFormat(rest[16..], out _, "x16", CultureInfo.InvariantCulture);
            state.second.TryFormat(rest[32..], out _, "x16", CultureInfo.InvariantCulture);
            ((uint)state.length).TryFormat(rest[48..], out _, "x8", CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Writes the canonical encoding of a request (exposed for tests of the encoding's injectivity).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="target">The target's name.</param>
    /// <param name="modelId">The target's model id.</param>
    /// <param name="additionalValues">More scope.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options.</param>
    internal static void Write(CanonicalWriter writer, string target, string? modelId, ReadOnlySpan<object?> additionalValues, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        writer.Marker((byte)Field.Scope);
        writer.String(target);
        writer.String(modelId);
        writer.Count(additionalValues.Length);
        foreach (object? value in additionalValues)
        {
            writer.Value(value);
        }

        int count = messages.TryGetNonEnumeratedCount(out int n) ? n : -1;
        writer.Count(count);
        int written = 0;
        foreach (ChatMessage message in messages)
        {
            WriteMessage(writer, message);
            written++;
        }

        if (count < 0)
        {
            // An enumerable without a count: its length closes the list instead.
            writer.Count(written);
        }

        WriteOptions(writer, options);
    }

    private static void WriteMessage(CanonicalWriter writer, ChatMessage message)
    {
        writer.Marker((byte)Field.Message);
        writer.String(message.Role.Value);
        writer.String(message.AuthorName);
        writer.Properties(message.AdditionalProperties);
        IList<AIContent> contents = message.Contents;
        writer.Count(contents.Count);
        for (int i = 0; i < contents.Count; i++)
        {
            WriteContent(writer, contents[i]);
        }
    }

    private static void WriteContent(CanonicalWriter writer, AIContent content)
    {
        switch (content)
        {
            case TextContent text when text.GetType() == typeof(TextContent):
                writer.Marker((byte)Field.Text);
                writer.String(text.Text);
                break;
            case TextReasoningContent reasoning when reasoning.GetType() == typeof(TextReasoningContent):
                writer.Marker((byte)Field.Reasoning);
                writer.String(reasoning.Text);
                writer.String(reasoning.ProtectedData);
                break;
            case DataContent data when data.GetType() == typeof(DataContent):
                writer.Marker((byte)Field.Data);
                writer.String(data.MediaType);
                writer.String(data.Name);
                writer.Bytes(data.Data.Span);
                break;
            case UriContent uri when uri.GetType() == typeof(UriContent):
                writer.Marker((byte)Field.Uri);
                writer.String(uri.Uri.OriginalString);
                writer.String(uri.MediaType);
                break;
            case FunctionCallContent call when call.GetType() == typeof(FunctionCallContent):
                writer.Marker((byte)Field.FunctionCall);
                writer.String(call.CallId);
                writer.String(call.Name);
                writer.Properties(call.Arguments);
                writer.Bool(call.InformationalOnly);
                break;
            case FunctionResultContent result when result.GetType() == typeof(FunctionResultContent):
                writer.Marker((byte)Field.FunctionResult);
                writer.String(result.CallId);
                writer.Value(result.Result);
                break;
            default:
                // Every other kind (hosted files, tool approvals, usage, errors, custom content): its type and its JSON.
                writer.Marker((byte)Field.OtherContent);
                writer.Other(content, typeof(AIContent));
                return;
        }

        writer.Properties(content.AdditionalProperties);
        if (content.Annotations is { Count: > 0 } annotations)
        {
            writer.Count(annotations.Count);
            foreach (AIAnnotation annotation in annotations)
            {
                writer.Other(annotation, typeof(AIAnnotation));
            }
        }
        else
        {
            writer.Count(0);
        }
    }

    private static void WriteOptions(CanonicalWriter writer, ChatOptions? options)
    {
        if (options is null)
        {
            writer.Marker((byte)Field.NoOptions);
            return;
        }

        writer.Marker((byte)Field.Options);
        writer.String(options.ConversationId);
        writer.String(options.Instructions);
        writer.Single(options.Temperature);
        writer.Integer(options.MaxOutputTokens);
        writer.Single(options.TopP);
        writer.Integer(options.TopK);
        writer.Single(options.FrequencyPenalty);
        writer.Single(options.PresencePenalty);
        writer.Integer(options.Seed);
        writer.String(options.ModelId);
        writer.Strings(options.StopSequences);
        writer.Bool(options.AllowMultipleToolCalls);
        writer.Bool(options.AllowBackgroundResponses);
        writer.Value(options.Reasoning?.Effort);
        writer.Value(options.Reasoning?.Output);
        writer.Bool(options.Reasoning is not null);
        if (options.ContinuationToken is { } token)
        {
            writer.Bytes(token.ToBytes().Span);
        }
        else
        {
            writer.Value(null);
        }

        WriteToolMode(writer, options.ToolMode);
        WriteFormat(writer, options.ResponseFormat);
        IList<AITool>? tools = options.Tools;
        writer.Count(tools?.Count ?? -1);
        if (tools is not null)
        {
            for (int i = 0; i < tools.Count; i++)
            {
                WriteTool(writer, tools[i]);
            }
        }

        writer.Properties(options.AdditionalProperties, skip: RequestMetadataKeys.NoCache);
    }

    private static void WriteToolMode(CanonicalWriter writer, ChatToolMode? mode)
    {
        switch (mode)
        {
            case null:
                writer.Value(null);
                break;
            case NoneChatToolMode:
                writer.Marker((byte)Field.ToolModeNone);
                break;
            case AutoChatToolMode:
                writer.Marker((byte)Field.ToolModeAuto);
                break;
            case RequiredChatToolMode required:
                writer.Marker((byte)Field.ToolModeRequired);
                writer.String(required.RequiredFunctionName);
                break;
            default:
                writer.Marker((byte)Field.ToolModeOther);
                writer.Other(mode, typeof(ChatToolMode));
                break;
        }
    }

    private static void WriteFormat(CanonicalWriter writer, ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                writer.Value(null);
                break;
            case ChatResponseFormatText:
                writer.Marker((byte)Field.FormatText);
                break;
            case ChatResponseFormatJson json:
                writer.Marker((byte)Field.FormatJson);
                writer.Json(json.Schema);
                writer.String(json.SchemaName);
                writer.String(json.SchemaDescription);
                break;
            default:
                writer.Marker((byte)Field.FormatOther);
                writer.Other(format, typeof(ChatResponseFormat));
                break;
        }
    }

    private static void WriteTool(CanonicalWriter writer, AITool tool)
    {
        writer.Marker((byte)Field.Tool);
        writer.String(tool.GetType().FullName);
        writer.String(tool.Name);
        writer.String(tool.Description);
        writer.Properties(tool.AdditionalProperties);
        if (tool is AIFunctionDeclaration declaration)
        {
            writer.Marker((byte)Field.FunctionTool);
            writer.Json(declaration.JsonSchema);
            writer.Json(declaration.ReturnJsonSchema);
        }
        else
        {
            // Hosted tools (web search, file search, MCP servers …) carry their settings as properties: all of them, as JSON.
            writer.Marker((byte)Field.OtherTool);
            writer.Other(tool, tool.GetType());
        }
    }
}
