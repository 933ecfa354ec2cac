namespace LlmRouting;

/// <summary>The targets that passed every filter for one request, in registration order, and those that did not.</summary>
public sealed class RouteCandidates
{
    private static readonly CandidateRejection[] NoRejections = [];

    /// <summary>Initializes a new instance of the <see cref="RouteCandidates"/> class.</summary>
    /// <param name="registry">The registry the candidates come from.</param>
    /// <param name="targets">The targets that may serve the request.</param>
    /// <param name="rejections">Why the other targets may not.</param>
    public RouteCandidates(TargetRegistry registry, IReadOnlyList<RouteTarget> targets, IReadOnlyList<CandidateRejection>? rejections = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(targets);
        Registry = registry;
        Targets = targets;
        Rejections = rejections ?? NoRejections;
    }

    /// <summary>Gets the registry the candidates come from.</summary>
    public TargetRegistry Registry { get; }

    /// <summary>Gets the targets that may serve the request, in registration order.</summary>
    public IReadOnlyList<RouteTarget> Targets { get; }

    /// <summary>Gets why the other targets may not serve the request.</summary>
    public IReadOnlyList<CandidateRejection> Rejections { get; }

    /// <summary>Gets the filters the candidates passed (empty when built without <see cref="Filter"/>), so a later destination — a stream continuation — is held to the same policy.</summary>
    internal IReadOnlyList<IRouteCandidateFilter> Filters { get; private init; } = [];

    /// <summary>Gets the number of candidates.</summary>
    public int Count => Targets.Count;

    /// <summary>Creates candidates from every target of a registry (no filtering); handy in strategy unit tests.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The candidates.</returns>
    public static RouteCandidates All(TargetRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new(registry, registry.Targets);
    }

    /// <summary>Finds a candidate by name.</summary>
    /// <param name="name">The target name (case-insensitive).</param>
    /// <returns>The target, or <see langword="null"/> if it is not a candidate for this request.</returns>
    public RouteTarget? Find(string name)
    {
        foreach (RouteTarget target in Targets)
        {
            if (string.Equals(target.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }
        }

        return null;
    }

    /// <summary>Gets a value indicating whether the named target is a candidate.</summary>
    /// <param name="name">The target name.</param>
    /// <returns><see langword="true"/> if the target may serve the request.</returns>
    public bool Contains(string name) => Find(name) is not null;

    /// <summary>Applies filters to every target of a registry.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="filters">The filters, in order; the first rejection is recorded.</param>
    /// <param name="request">The request.</param>
    /// <returns>The candidates; allocation-free for the target list when nothing is rejected.</returns>
    public static RouteCandidates Filter(TargetRegistry registry, IReadOnlyList<IRouteCandidateFilter> filters, RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(request);

        IReadOnlyList<RouteTarget> all = registry.Targets;
        List<RouteTarget>? allowed = null;
        List<CandidateRejection>? rejections = null;
        for (int i = 0; i < all.Count; i++)
        {
            RouteTarget target = all[i];
            CandidateRejection? rejection = null;
            for (int f = 0; f < filters.Count; f++)
            {
                IRouteCandidateFilter filter = filters[f];
                if (!filter.IsAllowed(request, target, out string? reason))
                {
                    rejection = new CandidateRejection(target.Name, filter.Name, reason ?? "rejected");
                    break;
                }
            }

            if (rejection is null)
            {
                allowed?.Add(target);
                continue;
            }

            if (allowed is null)
            {
                // First rejection: copy the targets accepted so far.
                allowed = new List<RouteTarget>(all.Count);
                for (int j = 0; j < i; j++)
                {
                    allowed.Add(all[j]);
                }
            }

            (rejections ??= []).Add(rejection);
        }

        return new RouteCandidates(registry, allowed ?? all, rejections) { Filters = filters };
    }
}
