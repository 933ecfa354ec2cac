namespace LlmRouting;

/// <summary>The default <see cref="IRouteContextSelector"/>: the request's task (from metadata or its first tag) and its size bucket, e.g. <c>code|medium</c>.</summary>
/// <remarks>
/// The task is the <c>task</c> metadata value when present (set it from a request analyzer or the caller), else the first
/// tag, else <c>any</c>. The size bucket comes from the estimated input tokens: <c>short</c> below 256, <c>medium</c>
/// below 2,048, <c>long</c> above. <c>+tools</c> and <c>+vision</c> are appended when the request needs them.
/// </remarks>
public sealed class DefaultRouteContextSelector : IRouteContextSelector
{
    /// <summary>The metadata key read for the task.</summary>
    public const string TaskMetadataKey = "task";

    private const int MaxTaskLength = 48;

    /// <summary>Gets the shared instance.</summary>
    public static DefaultRouteContextSelector Instance { get; } = new();

    /// <inheritdoc/>
    public string SelectContext(RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string task = request.Metadata(TaskMetadataKey) ?? (request.Tags.Count > 0 ? request.Tags[0] : "any");
        string size = request.EstimatedInputTokens switch
        {
            < 256 => "short",
            < 2048 => "medium",
            _ => "long",
        };

        return string.Concat(Sanitize(task), "|", size, request.HasTools ? "+tools" : string.Empty, request.ImageCount > 0 ? "+vision" : string.Empty);
    }

    private static string Sanitize(string value)
    {
        ReadOnlySpan<char> trimmed = value.AsSpan().Trim();
        if (trimmed.Length > MaxTaskLength)
        {
            trimmed = trimmed[..MaxTaskLength];
        }

        return string.Create(trimmed.Length, trimmed.ToString(), static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = char.ToLowerInvariant(source[i]);
                span[i] = c is ':' or '|' || char.IsWhiteSpace(c) || char.IsControl(c) ? '_' : c;
            }
        });
    }
}
