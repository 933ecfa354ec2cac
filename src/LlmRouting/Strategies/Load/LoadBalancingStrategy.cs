namespace LlmRouting.Strategies;

/// <summary>The shared shape of the load-aware strategies: pick among the request's candidates (optionally a configured subset) by load.</summary>
/// <remarks>
/// The chosen target comes first; the other eligible targets follow in preference order, so a fallback
/// executor has somewhere to go. Abstains when none of its targets is a candidate for the request.
/// </remarks>
public abstract class LoadBalancingStrategy : IRoutingStrategy
{
    private readonly string[]? _targets;

    /// <summary>Initializes a new instance of the <see cref="LoadBalancingStrategy"/> class.</summary>
    /// <param name="tracker">The load tracker the targets report to.</param>
    /// <param name="targets">The targets to balance over; <see langword="null"/> or empty for every candidate.</param>
    protected LoadBalancingStrategy(TargetLoadTracker tracker, IEnumerable<string>? targets)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        Tracker = tracker;
        string[]? list = targets?.ToArray();
        _targets = list is { Length: > 0 } ? list : null;
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>Gets the load tracker.</summary>
    protected TargetLoadTracker Tracker { get; }

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        List<RouteTarget> eligible = Eligible(candidates);
        if (eligible.Count == 0)
        {
            return default;
        }

        (RouteTarget[] ordered, string reason, double? score) = Choose(request, eligible);
        return new(new RouteDecision(ordered, Name, reason, score));
    }

    /// <summary>Orders the eligible targets, best first, and says why.</summary>
    /// <param name="request">The request.</param>
    /// <param name="eligible">The eligible targets (at least one), in registration order.</param>
    /// <returns>The ordered targets, a content-free reason, and an optional score.</returns>
    protected abstract (RouteTarget[] Ordered, string Reason, double? Score) Choose(RoutingRequest request, IReadOnlyList<RouteTarget> eligible);

    /// <summary>Moves <paramref name="chosen"/> to the front and orders the rest by <paramref name="key"/>.</summary>
    /// <param name="eligible">The eligible targets.</param>
    /// <param name="chosen">The chosen target.</param>
    /// <param name="key">The preference key for the others (lower is better).</param>
    /// <returns>The ordered targets.</returns>
    protected static RouteTarget[] ChosenFirst(IReadOnlyList<RouteTarget> eligible, RouteTarget chosen, Func<RouteTarget, double> key)
    {
        ArgumentNullException.ThrowIfNull(eligible);
        ArgumentNullException.ThrowIfNull(key);
        return [chosen, .. eligible.Where(t => !ReferenceEquals(t, chosen)).OrderBy(key)];
    }

    private List<RouteTarget> Eligible(RouteCandidates candidates)
    {
        if (_targets is null)
        {
            return [.. candidates.Targets];
        }

        var eligible = new List<RouteTarget>(_targets.Length);
        foreach (string name in _targets)
        {
            if (candidates.Find(name) is { } target)
            {
                eligible.Add(target);
            }
        }

        return eligible;
    }
}
