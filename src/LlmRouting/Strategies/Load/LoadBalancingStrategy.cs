namespace LlmRouting.Strategies;

/// <summary>The shared shape of the load-aware strategies: pick among the request's candidates (optionally a configured subset) by load.</summary>
/// <remarks>
/// The chosen target comes first; the other eligible targets follow in preference order, so a fallback
/// executor has somewhere to go. Abstains when none of its targets is a candidate for the request.
/// </remarks>
public abstract class LoadBalancingStrategy : IRoutingStrategy
{
    private readonly string[]? _targets;
    private LoadSlots? _slots;

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
        LoadSlots slots = LoadSlots.For(ref _slots, candidates.Registry, Tracker, _targets);
        int capacity = _targets?.Length ?? candidates.Count;
        Span<int> indices = capacity <= 64 ? stackalloc int[capacity] : new int[capacity];
        int count = slots.Eligible(candidates, indices);
        if (count == 0)
        {
            return default;
        }

        return new(Decide(request, slots, indices[..count]));
    }

    /// <summary>The built-in policies' decision over the eligible targets' registry indices, reading load from <paramref name="slots"/>; others go through <see cref="Choose"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="slots">The registry's targets and counters.</param>
    /// <param name="eligible">The registry indices of the eligible targets (at least one), in order.</param>
    /// <returns>The decision.</returns>
    private protected virtual RouteDecision Decide(RoutingRequest request, LoadSlots slots, ReadOnlySpan<int> eligible)
    {
        var targets = new RouteTarget[eligible.Length];
        for (int i = 0; i < eligible.Length; i++)
        {
            targets[i] = slots.Targets[eligible[i]];
        }

        (RouteTarget[] ordered, string reason, double? score) = Choose(request, targets);
        return new RouteDecision(ordered, Name, reason, score);
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
}
