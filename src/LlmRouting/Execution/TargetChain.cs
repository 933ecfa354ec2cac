using LlmRouting.Resilience;

namespace LlmRouting.Execution;

/// <summary>The fallback chain of one execution: the decision's targets, the last-resort chain, then (optionally) the remaining candidates.</summary>
/// <remarks>Every target in it is a candidate for the request, so a fallback never breaks a filter.</remarks>
internal sealed class TargetChain
{
    private readonly FallbackOptions _options;

    public TargetChain(FallbackOptions options)
    {
        _options = options;
        Build = BuildChain;
    }

    /// <summary>Gets the chain builder an execution calls (once) when it first needs its chain.</summary>
    public Func<RouteExecution, IReadOnlyList<RouteTarget>> Build { get; }

    /// <summary>The targets to try, in order.</summary>
    public IReadOnlyList<RouteTarget> BuildChain(RouteExecution route)
    {
        RouteCandidates candidates = route.Candidates;
        var chain = new List<RouteTarget>(Math.Min(_options.MaxTargets, candidates.Count));
        foreach (RouteTarget target in route.Decision.Targets)
        {
            Add(chain, target);
        }

        if (route.Request.Agent is { HoldsProviderState: true })
        {
            return chain; // conversation affinity: provider-side state on this target, which no other target can continue
        }

        foreach (string name in _options.LastResort)
        {
            if (candidates.Find(name) is { } target)
            {
                Add(chain, target);
            }
        }

        if (_options.TryRemainingCandidates)
        {
            foreach (RouteTarget target in TargetOrdering.NearestTier(candidates.Targets.Where(t => !chain.Contains(t)), route.Decision.Primary.Profile.Tier))
            {
                Add(chain, target);
            }
        }

        return chain.Count > _options.MaxTargets ? chain.GetRange(0, _options.MaxTargets) : chain;

        static void Add(List<RouteTarget> list, RouteTarget target)
        {
            if (!list.Contains(target))
            {
                list.Add(target);
            }
        }
    }
}
