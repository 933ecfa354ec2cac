namespace LlmRouting;

/// <summary>A strategy's answer: the targets to try in order (primary first), why, and the scores behind it.</summary>
public sealed class RouteDecision
{
    /// <summary>Initializes a new instance of the <see cref="RouteDecision"/> class.</summary>
    /// <param name="targets">The targets to try, primary first; at least one.</param>
    /// <param name="strategy">The name of the strategy that decided.</param>
    /// <param name="reason">A short, content-free explanation (it is logged and exported).</param>
    /// <param name="score">The score behind the decision, if the strategy has one.</param>
    public RouteDecision(IReadOnlyList<RouteTarget> targets, string strategy, string reason, double? score = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentException.ThrowIfNullOrWhiteSpace(strategy);
        ArgumentNullException.ThrowIfNull(reason);
        if (targets.Count == 0)
        {
            throw new ArgumentException("A decision names at least one target.", nameof(targets));
        }

        Targets = targets;
        Strategy = strategy;
        Reason = reason;
        Score = score;
    }

    /// <summary>Gets the targets to try, primary first.</summary>
    public IReadOnlyList<RouteTarget> Targets { get; }

    /// <summary>Gets the primary target.</summary>
    public RouteTarget Primary => Targets[0];

    /// <summary>Gets the name of the strategy that decided.</summary>
    public string Strategy { get; }

    /// <summary>Gets the content-free reason for the decision.</summary>
    public string Reason { get; }

    /// <summary>Gets the score behind the decision, if any (e.g. the classifier's probability).</summary>
    public double? Score { get; }

    /// <summary>Gets what making the decision itself cost (e.g. the LLM-as-judge call), if the strategy paid for one.</summary>
    /// <value>The default is <see langword="null"/>: the decision was free (local).</value>
    public decimal? DecisionCost { get; init; }

    /// <summary>Gets the version of the learned model that decided (e.g. the adaptive router's), if any.</summary>
    /// <value>The default is <see langword="null"/>: no learned model was involved.</value>
    public string? ModelVersion { get; init; }

    /// <summary>Creates a decision for one target.</summary>
    /// <param name="target">The target.</param>
    /// <param name="strategy">The deciding strategy's name.</param>
    /// <param name="reason">The reason.</param>
    /// <param name="score">The score, if any.</param>
    /// <returns>The decision.</returns>
    public static RouteDecision To(RouteTarget target, string strategy, string reason, double? score = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new([target], strategy, reason, score);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Strategy}: {string.Join(" > ", Targets)} ({Reason})";
}
