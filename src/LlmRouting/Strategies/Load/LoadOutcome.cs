namespace LlmRouting.Strategies;

/// <summary>How a tracked call ended.</summary>
internal enum LoadOutcome
{
    /// <summary>It answered: a latency sample.</summary>
    Succeeded,

    /// <summary>The target failed: counted against it.</summary>
    Failed,

    /// <summary>The caller cancelled or stopped reading: not the target's fault.</summary>
    Canceled,
}
