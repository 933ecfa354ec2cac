namespace LlmRouting;

/// <summary>How one attempt against a target ended.</summary>
public enum RouteAttemptOutcome
{
    /// <summary>The target answered completely.</summary>
    Succeeded,

    /// <summary>The target failed (error, timeout, broken stream).</summary>
    Failed,

    /// <summary>The caller cancelled; not the target's fault.</summary>
    Canceled,

    /// <summary>The caller stopped reading a stream before it ended.</summary>
    Abandoned,

    /// <summary>The answer arrived but was judged unusable and escalated.</summary>
    Rejected,

    /// <summary>A hedged attempt on another target answered first; this one was cancelled (or its late answer discarded).</summary>
    Superseded,
}
