using System.Globalization;
using System.Text.Json;
using LlmRouting.Configuration;

namespace LlmRouting.Catalog;

/// <summary>Reads a catalogue in this library's format (<c>{"models": {name: {...}}}</c>) or LiteLLM's (<c>{name: {...}}</c>, prices per token).</summary>
internal static class ModelCatalogReader
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>LiteLLM's modes that are chat models; other modes (embedding, image generation, …) are skipped.</summary>
    private static readonly string[] ChatModes = ["chat", "responses"];

    /// <summary>LiteLLM's capability flags, and ours they map to.</summary>
    private static readonly (string Key, ModelCapabilities Capability)[] LiteLlmFlags =
    [
        ("supports_function_calling", ModelCapabilities.Tools),
        ("supports_vision", ModelCapabilities.Vision),
        ("supports_response_schema", ModelCapabilities.JsonSchema),
        ("supports_reasoning", ModelCapabilities.Reasoning),
        ("supports_audio_input", ModelCapabilities.Audio),
    ];

    public static ModelCatalog Read(Stream utf8Json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source} must be a JSON object (this library's {{\"models\": {{…}}}} or LiteLLM's model map).");
            }

            return root.TryGetProperty("models", out JsonElement models) && models.ValueKind == JsonValueKind.Object
                ? new ModelCatalog(ReadOwn(models, source), ReadDate(root, source))
                : new ModelCatalog(ReadLiteLlm(root, source));
        }
    }

    private static List<ModelCatalogEntry> ReadOwn(JsonElement models, string source)
    {
        var entries = new List<ModelCatalogEntry>();
        foreach (JsonProperty model in models.EnumerateObject())
        {
            string at = $"{source}: models.{model.Name}";
            JsonElement e = Object(model.Value, at);
            entries.Add(new ModelCatalogEntry
            {
                Name = model.Name,
                Provider = String(e, "provider", at),
                Aliases = Strings(e, "aliases", at),
                InputPricePerMillion = Decimal(e, "input", at) ?? throw new FormatException($"{at}.input (the price of a million input tokens) is required."),
                CachedInputPricePerMillion = Decimal(e, "cachedInput", at),
                OutputPricePerMillion = Decimal(e, "output", at) ?? throw new FormatException($"{at}.output (the price of a million output tokens) is required."),
                ContextWindow = Int(e, "contextWindow", at),
                MaxOutputTokens = Int(e, "maxOutputTokens", at),
                Capabilities = Capabilities(e, at),
            });
        }

        return entries;
    }

    private static List<ModelCatalogEntry> ReadLiteLlm(JsonElement root, string source)
    {
        var entries = new List<ModelCatalogEntry>();
        foreach (JsonProperty model in root.EnumerateObject())
        {
            if (model.Name == "sample_spec" || model.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            string at = $"{source}: {model.Name}";
            JsonElement e = model.Value;
            if (String(e, "mode", at) is { } mode && !ChatModes.Contains(mode, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            ModelCapabilities? capabilities = null;
            foreach ((string key, ModelCapabilities capability) in LiteLlmFlags)
            {
                if (Bool(e, key, at) is { } supported)
                {
                    capabilities = (capabilities ?? ModelCapabilities.Streaming) | (supported ? capability : ModelCapabilities.None);
                }
            }

            entries.Add(new ModelCatalogEntry
            {
                Name = model.Name,
                Provider = String(e, "litellm_provider", at),
                InputPricePerMillion = (Decimal(e, "input_cost_per_token", at) ?? 0m) * PerMillion,
                CachedInputPricePerMillion = Decimal(e, "cache_read_input_token_cost", at) * PerMillion,
                OutputPricePerMillion = (Decimal(e, "output_cost_per_token", at) ?? 0m) * PerMillion,
                ContextWindow = Int(e, "max_input_tokens", at) ?? Int(e, "max_tokens", at),
                MaxOutputTokens = Int(e, "max_output_tokens", at),
                Capabilities = capabilities,
            });
        }

        return entries;
    }

    private static ModelCapabilities? Capabilities(JsonElement e, string at)
    {
        if (String(e, "capabilities", at) is not { } text)
        {
            return null;
        }

        // The same conversion configuration's "Capabilities" gets: names only, comma-separated, the nearest name suggested.
        return ConfigurationValues.TryConvert(text, typeof(ModelCapabilities), $"{at}.capabilities", out object? value, out string? failure)
            ? (ModelCapabilities)value!
            : throw new FormatException(failure);
    }

    private static DateOnly? ReadDate(JsonElement root, string source)
    {
        if (String(root, "asOf", source) is not { } text)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date)
            ? date
            : throw new FormatException($"{source}: asOf '{text}' is not a date (yyyy-MM-dd).");
    }

    private static JsonElement Object(JsonElement value, string at) =>
        value.ValueKind == JsonValueKind.Object ? value : throw new FormatException($"{at} must be an object.");

    private static JsonElement? Property(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? String(JsonElement e, string name, string at) => Property(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new FormatException($"{at}.{name} must be a string."),
    };

    private static bool? Bool(JsonElement e, string name, string at) => Property(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new FormatException($"{at}.{name} must be true or false."),
    };

    private static decimal? Decimal(JsonElement e, string name, string at)
    {
        if (Property(e, name) is not { } value)
        {
            return null;
        }

        // Parsed from the text, exponent included (LiteLLM writes 2.5e-06), so 2.5e-06 × 10⁶ is exactly 2.5.
        if (value.ValueKind == JsonValueKind.Number &&
            decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal number) && number >= 0)
        {
            return number;
        }

        throw new FormatException($"{at}.{name} must be a number that is not negative (was {value.GetRawText()}).");
    }

    private static int? Int(JsonElement e, string name, string at)
    {
        if (Property(e, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number is >= 1 and <= int.MaxValue && number == Math.Floor(number))
        {
            return (int)number;
        }

        throw new FormatException($"{at}.{name} must be a positive whole number (was {value.GetRawText()}).");
    }

    private static string[] Strings(JsonElement e, string name, string at)
    {
        if (Property(e, name) is not { } value)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{at}.{name} must be an array of strings.");
        }

        return [.. value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"{at}.{name} must contain only non-empty strings."))];
    }
}
