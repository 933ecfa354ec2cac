namespace LlmRouting.Strategies;

/// <summary>
/// What a load-aware strategy precomputes per registry (a configuration reload builds a new one): the registry's
/// targets as an array, their load counters, and the registry index of each configured target name. A decision then
/// reads counters by index — no name lookup, no hashing, no lock.
/// </summary>
/// <remarks>Immutable; swapped atomically when a request comes with another registry.</remarks>
internal sealed class LoadSlots
{
    private LoadSlots(TargetRegistry registry, TargetLoadTracker? tracker, IReadOnlyList<string>? names)
    {
        Registry = registry;
        Targets = [.. registry.Targets];
        Counters = tracker is null ? [] : [.. Targets.Select(t => tracker.For(t.Name))];
        Configured = names is null ? null : [.. names.Select(n => registry.TryGet(n, out RouteTarget? t) ? Array.IndexOf(Targets, t) : -1)];
    }

    /// <summary>Gets the registry these slots belong to.</summary>
    public TargetRegistry Registry { get; }

    /// <summary>Gets the registry's targets, in registration order.</summary>
    public RouteTarget[] Targets { get; }

    /// <summary>Gets each target's load counters, by registry index (empty without a tracker).</summary>
    public TargetLoadTracker.Counters[] Counters { get; }

    /// <summary>Gets the registry index of each configured name (-1 for a name the registry does not have), or <see langword="null"/> when none are configured.</summary>
    public int[]? Configured { get; }

    /// <summary>Returns the slots for <paramref name="registry"/>, building them on first use (or after a reload).</summary>
    /// <param name="cache">The strategy's cached slots.</param>
    /// <param name="registry">The request's registry.</param>
    /// <param name="tracker">The load tracker, if the strategy reads load.</param>
    /// <param name="names">The configured target names, if any.</param>
    /// <returns>The slots.</returns>
    public static LoadSlots For(ref LoadSlots? cache, TargetRegistry registry, TargetLoadTracker? tracker, IReadOnlyList<string>? names)
    {
        LoadSlots? current = Volatile.Read(ref cache);
        if (current is not null && ReferenceEquals(current.Registry, registry))
        {
            return current;
        }

        var built = new LoadSlots(registry, tracker, names);
        Volatile.Write(ref cache, built);
        return built;
    }

    /// <summary>Writes the registry index of each candidate (or, with configured names, of each configured name that is a candidate) and returns how many.</summary>
    /// <param name="candidates">The request's candidates.</param>
    /// <param name="indices">At least <see cref="Targets"/>' length (or the configured names' count) of space.</param>
    /// <returns>The number of eligible targets written, in order.</returns>
    public int Eligible(RouteCandidates candidates, Span<int> indices)
    {
        IReadOnlyList<RouteTarget> list = candidates.Targets;
        bool all = ReferenceEquals(list, Registry.Targets);
        int count = 0;
        if (Configured is null)
        {
            for (int i = 0; i < list.Count; i++)
            {
                int index = all ? i : IndexOf(list[i]);
                if (index >= 0)
                {
                    indices[count++] = index;
                }
            }

            return count;
        }

        foreach (int index in Configured)
        {
            if (index >= 0 && (all || IsCandidate(list, Targets[index])))
            {
                indices[count++] = index;
            }
        }

        return count;
    }

    /// <summary>Gets the registry index of a target, or -1 (a target of another registry).</summary>
    /// <param name="target">The target.</param>
    /// <returns>The index.</returns>
    public int IndexOf(RouteTarget target)
    {
        RouteTarget[] targets = Targets;
        for (int i = 0; i < targets.Length; i++)
        {
            if (ReferenceEquals(targets[i], target))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Gets a value indicating whether <paramref name="target"/> is in the candidate list (by reference).</summary>
    /// <param name="candidates">The candidate list.</param>
    /// <param name="target">The target.</param>
    /// <returns><see langword="true"/> if it is.</returns>
    public static bool IsCandidate(IReadOnlyList<RouteTarget> candidates, RouteTarget target)
    {
        for (int i = 0; i < candidates.Count; i++)
        {
            if (ReferenceEquals(candidates[i], target))
            {
                return true;
            }
        }

        return false;
    }
}
