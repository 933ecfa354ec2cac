using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>
/// How the fallback executor's hold-back runs a stream underneath it: where the first segment comes from, the request's
/// budget (owned by the hold-back), and, while the answer is held, the final segment's attempt, ended only once the
/// answer has been judged.
/// </summary>
internal sealed class HeldStream
{
    /// <param name="budget">The request's time budget, or <see langword="null"/> without one.</param>
    /// <param name="holdsAttempt">Whether the final successful attempt goes to <see cref="Attempt"/> (open) instead of ending as succeeded.</param>
    public HeldStream(TimeLimit? budget, bool holdsAttempt)
    {
        Budget = budget;
        HoldsAttempt = holdsAttempt;
    }

    public TimeLimit? Budget { get; }

    public bool HoldsAttempt { get; }

    /// <summary>Gets or sets where the first segment comes from; <see langword="null"/> for the decision's chain (hedged when hedging is on).</summary>
    public IStreamSource? First { get; set; }

    /// <summary>Gets or sets the final segment's attempt (charged, not yet ended), when <see cref="HoldsAttempt"/>.</summary>
    public TargetAttempt? Attempt { get; set; }
}
