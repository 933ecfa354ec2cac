using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>What may be cached, and how a response is stored and replayed: shared by the exact and the semantic cache.</summary>
internal static class CachedResponses
{
    private const string RouterPropertyPrefix = "llmrouting.";

    /// <summary>Returns whether the request asked not to be cached (<see cref="RequestMetadataKeys.NoCache"/>).</summary>
    public static bool IsNoCache(ChatOptions? options) =>
        options?.AdditionalProperties is { } properties &&
        properties.TryGetValue(RequestMetadataKeys.NoCache, out object? value) &&
        value switch
        {
            bool b => b,
            string s => !string.Equals(s, "false", StringComparison.OrdinalIgnoreCase) && !string.Equals(s, "0", StringComparison.Ordinal),
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.String } e => !string.Equals(e.GetString(), "false", StringComparison.OrdinalIgnoreCase),
            null => false,
            _ => true,
        };

    /// <summary>Gets the tenant from the request metadata, or the empty string for requests without one.</summary>
    public static string TenantOf(ChatOptions? options) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(RequestMetadataKeys.Tenant, out object? value)
            ? value switch
            {
                null => string.Empty,
                string s => s,
                JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            }
            : string.Empty;

    /// <summary>
    /// Returns whether a completed answer may be stored: not truncated (<see cref="ChatFinishReason.Length"/>),
    /// not refused or filtered (<see cref="ChatFinishReason.ContentFilter"/>), no <see cref="ErrorContent"/>, and not empty.
    /// </summary>
    public static bool IsCacheable(ChatResponse response)
    {
        if (response.FinishReason == ChatFinishReason.Length || response.FinishReason == ChatFinishReason.ContentFilter)
        {
            return false;
        }

        bool hasContent = false;
        foreach (ChatMessage message in response.Messages)
        {
            foreach (AIContent content in message.Contents.Indexed())
            {
                if (content is ErrorContent)
                {
                    return false;
                }

                hasContent |= content is not UsageContent;
            }
        }

        return hasContent;
    }

    /// <summary>Serializes a response without the router's per-request properties (route info, cache markers) or raw provider objects.</summary>
    public static byte[] Serialize(ChatResponse response) =>
        JsonSerializer.SerializeToUtf8Bytes(Sanitize(response), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)));

    /// <summary>Serializes like <see cref="Serialize"/>, or returns <see langword="null"/> when the response holds content that cannot be serialized (it is then not cached).</summary>
    public static byte[]? TrySerialize(ChatResponse response)
    {
        try
        {
            return Serialize(response);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A copy for a caller that shared another caller's in-flight answer: new response and properties, no usage, marked as a cache hit.</summary>
    public static ChatResponse SharedCopy(ChatResponse response)
    {
        ChatResponse copy = Sanitize(response);
        copy.Usage = null;
        (copy.AdditionalProperties ??= [])[CacheHitMarker.Key] = CacheHitMarker.Exact;
        return copy;
    }

    /// <summary>Deserializes a stored response: a new instance per call, so callers never share mutable state.</summary>
    public static ChatResponse Deserialize(ReadOnlySpan<byte> utf8Json) =>
        (ChatResponse?)JsonSerializer.Deserialize(utf8Json, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)))
        ?? throw new InvalidDataException("A cache entry held no response.");

    /// <summary>Removes usage from a replayed response: a cache hit consumed no tokens and costs nothing.</summary>
    public static ChatResponse WithoutUsage(ChatResponse response)
    {
        response.Usage = null;
        foreach (ChatMessage message in response.Messages)
        {
            for (int i = message.Contents.Count - 1; i >= 0; i--)
            {
                if (message.Contents[i] is UsageContent)
                {
                    message.Contents.RemoveAt(i);
                }
            }
        }

        return response;
    }

    /// <summary>A response of <paramref name="messages"/> with <paramref name="response"/>'s own fields (ids, model, time, finish reason, usage), nothing else.</summary>
    public static ChatResponse WithMessages(ChatResponse response, IList<ChatMessage> messages) => new(messages)
    {
        ResponseId = response.ResponseId,
        ConversationId = response.ConversationId,
        ModelId = response.ModelId,
        CreatedAt = response.CreatedAt,
        FinishReason = response.FinishReason,
        Usage = response.Usage,
    };

    /// <summary>A copy of <paramref name="response"/> that holds only what may be stored.</summary>
    public static ChatResponse Sanitize(ChatResponse response)
    {
        ChatResponse copy = WithMessages(response, [.. response.Messages]);

        if (response.AdditionalProperties is { Count: > 0 } properties)
        {
            AdditionalPropertiesDictionary? kept = null;
            foreach (KeyValuePair<string, object?> property in properties)
            {
                if (!property.Key.StartsWith(RouterPropertyPrefix, StringComparison.Ordinal))
                {
                    (kept ??= [])[property.Key] = property.Value;
                }
            }

            copy.AdditionalProperties = kept;
        }

        return copy;
    }
}
