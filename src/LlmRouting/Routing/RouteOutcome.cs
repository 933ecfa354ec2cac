namespace LlmRouting;

/// <summary>How a routed request ended.</summary>
public enum RouteOutcome
{
    /// <summary>Still running (a stream being read).</summary>
    Pending,

    /// <summary>Answered.</summary>
    Succeeded,

    /// <summary>Every attempt failed; the caller got an exception.</summary>
    Failed,

    /// <summary>The caller cancelled.</summary>
    Canceled,

    /// <summary>The caller stopped reading the stream before it ended.</summary>
    Abandoned,
}
