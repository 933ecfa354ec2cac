using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Checks a request before anything is analysed, routed, cached or sent: a specific <see cref="ArgumentException"/>
/// (naming the offending message, part or option) instead of a <see cref="NullReferenceException"/> later, a value a
/// provider would refuse, or a value that silently defeats a filter or a cache.
/// </summary>
internal static class RequestValidation
{
    /// <summary>The tenant and user name the ledger files requests that name none under (<c>RoutingLedgerSummary.NoTenant</c>): reserved, a request may not name it.</summary>
    internal const string NoTenant = "(none)";

    /// <summary>Throws when the conversation or the options cannot be routed.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, if any.</param>
    /// <exception cref="ArgumentException">A message or part is null, the conversation is empty, or an option is out of range.</exception>
    public static void Validate(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        if (messages.Count == 0)
        {
            throw new ArgumentException("The conversation is empty: send at least one message.", nameof(messages));
        }

        // This runs over every message of every step.
        if (MessageSpans.TryGetSpan(messages, out ReadOnlySpan<ChatMessage> list))
        {
            for (int m = 0; m < list.Length; m++)
            {
                Validate(list[m], m, nameof(messages));
            }
        }
        else
        {
            for (int m = 0; m < messages.Count; m++)
            {
                Validate(messages[m], m, nameof(messages));
            }
        }

        if (options is not null)
        {
            Validate(options);
        }
    }

    private static void Validate(ChatMessage? message, int m, string paramName)
    {
        if (message is null)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"messages[{m}] is null."), paramName);
        }

        IList<AIContent> contents = message.Contents;
        ReadOnlySpan<AIContent> parts = contents is List<AIContent> items ? CollectionsMarshal.AsSpan(items) : default;
        int count = contents.Count;
        for (int c = 0; c < count; c++)
        {
            if ((parts.Length == count ? parts[c] : contents[c]) is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"messages[{m}].Contents[{c}] is null."), paramName);
            }
        }
    }

    private static void Validate(ChatOptions options)
    {
        if (options.MaxOutputTokens is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(CultureInfo.InvariantCulture, $"ChatOptions.MaxOutputTokens must be positive when set (was {options.MaxOutputTokens})."));
        }

        if (options.TopK is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(CultureInfo.InvariantCulture, $"ChatOptions.TopK must be positive when set (was {options.TopK})."));
        }

        Finite(options.Temperature, "Temperature", min: 0, max: float.MaxValue, nameof(options));
        Finite(options.TopP, "TopP", min: 0, max: 1, nameof(options));
        Finite(options.FrequencyPenalty, "FrequencyPenalty", min: float.MinValue, max: float.MaxValue, nameof(options));
        Finite(options.PresencePenalty, "PresencePenalty", min: float.MinValue, max: float.MaxValue, nameof(options));

        if (options.AdditionalProperties is { } properties)
        {
            Identity(properties, RequestMetadataKeys.Tenant, "tenant", nameof(options));
            Identity(properties, RequestMetadataKeys.User, "user", nameof(options));
        }
    }

    private static void Finite(float? value, string name, float min, float max, string paramName)
    {
        if (value is { } v && (!float.IsFinite(v) || v < min || v > max))
        {
            string range = min == float.MinValue ? "finite" : max == float.MaxValue ? $"finite and at least {min.ToString(CultureInfo.InvariantCulture)}" : $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}";
            throw new ArgumentOutOfRangeException(paramName, $"ChatOptions.{name} must be {range} when set (was {v.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    /// <summary>A tenant or user decides which caches, budgets and ledger buckets a request shares: it must have a stable text form that tells two values apart.</summary>
    private static void Identity(AdditionalPropertiesDictionary properties, string key, string what, string paramName)
    {
        if (!properties.TryGetValue(key, out object? value) || value is null)
        {
            return;
        }

        string? text = value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
            Guid or int or long or uint or ulong or short or ushort or byte or sbyte or decimal => Convert.ToString(value, CultureInfo.InvariantCulture),
            _ => throw new ArgumentException(
                $"The '{key}' metadata must be a string, an integer or a Guid; got a {value.GetType().Name}, whose text form would not tell two {what}s apart (they would share caches, budgets and ledger buckets). Pass its identifier.",
                paramName),
        };

        if (string.Equals(text, NoTenant, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {what} '{NoTenant}' is reserved: the ledger files requests that name no {what} under it.", paramName);
        }
    }
}
