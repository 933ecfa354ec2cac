using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;
using NJsonSchema;
using LlmRouting.Resilience;

namespace LlmRouting;

/// <summary>
/// When the caller asked for JSON (<see cref="ChatResponseFormatJson"/>), rejects answers that are not valid JSON
/// or, when a schema was given, do not validate against it (NJsonSchema). Markdown code fences are tolerated.
/// </summary>
public sealed class JsonSchemaEvaluator : IResponseEvaluator
{
    private const int MaxCachedSchemas = 256;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => "json-schema";

    /// <inheritdoc/>
    public async ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (options?.ResponseFormat is not ChatResponseFormatJson format)
        {
            return null;
        }

        string json = StripFences(response.Text);
        try
        {
            using JsonDocument _ = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return "answer is not valid JSON";
        }

        if (format.Schema is not { } schemaElement)
        {
            return null;
        }

        JsonSchema schema = await GetSchemaAsync(schemaElement.GetRawText(), cancellationToken).ConfigureAwait(false);
        ICollection<NJsonSchema.Validation.ValidationError> errors = schema.Validate(json);
        // Content-free: the reason lands in the audit record and logs, so it names the kind of error, never a path or value
        // taken from the answer (property names are the model's output and can carry personal data).
        return errors.Count == 0 ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"answer fails the requested schema ({errors.Count} error(s), first: {errors.First().Kind})");
    }

    private async ValueTask<JsonSchema> GetSchemaAsync(string text, CancellationToken cancellationToken)
    {
        if (_schemas.TryGetValue(text, out JsonSchema? cached))
        {
            return cached;
        }

        JsonSchema schema = await JsonSchema.FromJsonAsync(text, cancellationToken).ConfigureAwait(false);
        if (_schemas.Count < MaxCachedSchemas)
        {
            _schemas.TryAdd(text, schema);
        }

        return schema;
    }

    private static string StripFences(string text)
    {
        ReadOnlySpan<char> span = text.AsSpan().Trim();
        if (span.StartsWith("```", StringComparison.Ordinal))
        {
            int firstLine = span.IndexOf('\n');
            int close = span.LastIndexOf("```", StringComparison.Ordinal);
            if (firstLine > 0 && close > firstLine)
            {
                return span[(firstLine + 1)..close].Trim().ToString();
            }
        }

        return span.ToString();
    }
}
