namespace LlmRouting.Execution;

/// <summary>
/// A call to a target was cancelled (a time limit or the caller) and the target did not stop: the router stopped waiting for
/// it. The call runs on unobserved by the caller; whatever it ends with is observed and discarded.
/// </summary>
internal sealed class TargetAbandonedException : OperationCanceledException
{
    /// <param name="token">The token that was cancelled.</param>
    public TargetAbandonedException(CancellationToken token)
        : base("The target did not stop when its call was cancelled; the call was abandoned.", token)
    {
    }
}
