using LlmRouting.Analysis;

namespace LlmRouting.Statistics;

/// <summary>The default <see cref="IRouteContextSelector"/>: the request's task type and complexity bucket, e.g. <c>code|high</c>.</summary>
/// <remarks>
/// The task is the <c>task</c> metadata value when the caller sets one, else the request analyzer's
/// <see cref="RequestAnalysis.Task"/>. The complexity bucket comes from <see cref="RequestAnalysis.Complexity"/>:
/// <c>low</c> below 0.15, <c>medium</c> below 0.35, <c>high</c> above. <c>+tools</c> and <c>+vision</c> are appended
/// when the request needs them. The analysis is local and computed once per request (the router's other strategies share it).
/// </remarks>
public sealed class DefaultRouteContextSelector : IRouteContextSelector
{
    /// <summary>The metadata key read for the task.</summary>
    public const string TaskMetadataKey = "task";

    /// <summary>The complexity below which a request is in the <c>low</c> bucket.</summary>
    public const double LowComplexity = 0.15;

    /// <summary>The complexity from which a request is in the <c>high</c> bucket.</summary>
    public const double HighComplexity = 0.35;

    private const int MaxTaskLength = 48;

    /// <summary>Gets the shared instance.</summary>
    public static DefaultRouteContextSelector Instance { get; } = new();

    /// <inheritdoc/>
    public string SelectContext(RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestAnalysis analysis = request.Analysis;
        string task = TaskOf(request);
        string complexity = analysis.Complexity switch
        {
            < LowComplexity => "low",
            < HighComplexity => "medium",
            _ => "high",
        };

        return string.Concat(task, "|", complexity, request.HasTools ? "+tools" : string.Empty, request.ImageCount > 0 ? "+vision" : string.Empty);
    }

    /// <summary>The request's task: the caller's <c>task</c> metadata (sanitised) when given, else the analyzer's task type.</summary>
    internal static string TaskOf(RoutingRequest request) =>
        request.Metadata(TaskMetadataKey) is { } given ? NormalizeTask(given) : TaskName(request.Analysis.Task);

    internal static string TaskName(TaskType task) => task switch
    {
        TaskType.Chat => "chat",
        TaskType.Code => "code",
        TaskType.Math => "math",
        TaskType.Reasoning => "reasoning",
        TaskType.Translation => "translation",
        TaskType.Summarization => "summarization",
        TaskType.Extraction => "extraction",
        TaskType.Classification => "classification",
        TaskType.CreativeWriting => "creative",
        _ => NormalizeTask(task.ToString()),
    };

    /// <summary>A task name as contexts, labels and the adaptive model's groups compare it: trimmed, lower-case, at most 48 characters, separators and white space as '_'.</summary>
    internal static string NormalizeTask(string value)
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
