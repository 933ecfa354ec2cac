using LlmRouting.Diagnostics;

namespace LlmRouting;

/// <summary>The router's decision helpers: a caller's pin, what the chain may decide, and the end of the chain.</summary>
public sealed partial class LlmRouterChatClient
{
    /// <summary>The decision a caller's model id pins (its targets that are candidates), or <see langword="null"/> to route as usual.</summary>
    private static RouteDecision? Pinned(RouterState state, string requested, RouteCandidates candidates)
    {
        if (state.CallerModelIds != CallerModelIdMode.Pin)
        {
            return null;
        }

        if (!state.Pins.TryGetValue(requested, out RouteTarget[]? named))
        {
            if (Interlocked.Exchange(ref state.WarnedUnknownModelId, 1) == 0)
            {
                Log.UnknownCallerModelId(state.Logger);
            }

            return null;
        }

        RouteTarget[] allowed = Array.FindAll(named, t => IsCandidate(candidates, t));
        return allowed.Length == 0
            ? null
            : new RouteDecision(allowed, RouterState.PinnedStrategyName, $"the caller's ModelId names target '{allowed[0].Name}'");
    }

    /// <summary>Keeps only the decided targets that are candidates, so no strategy can route around a filter.</summary>
    private static RouteDecision? Accept(RouterState state, IRoutingStrategy strategy, RouteDecision? decision, RouteCandidates candidates)
    {
        if (decision is null)
        {
            Log.Abstained(state.Logger, strategy.Name);
            return null;
        }

        IReadOnlyList<RouteTarget> targets = decision.Targets;
        int allowed = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            if (IsCandidate(candidates, targets[i]))
            {
                allowed++;
            }
        }

        if (allowed == targets.Count)
        {
            return decision;
        }

        if (allowed == 0)
        {
            Log.Abstained(state.Logger, strategy.Name);
            return null;
        }

        RouteTarget[] kept = new RouteTarget[allowed];
        int k = 0;
        foreach (RouteTarget target in targets)
        {
            if (IsCandidate(candidates, target))
            {
                kept[k++] = target;
            }
        }

        return new RouteDecision(kept, decision.Strategy, decision.Reason, decision.Score);
    }

    private static bool IsCandidate(RouteCandidates candidates, RouteTarget target)
    {
        IReadOnlyList<RouteTarget> list = candidates.Targets;
        for (int i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], target))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The end of the chain: the default target, or when it cannot serve, the cheapest lowest-tier candidate.</summary>
    private static RouteDecision Fallback(RouterState state, RouteCandidates candidates)
    {
        if (IsCandidate(candidates, state.DefaultTarget))
        {
            return state.DefaultDecision;
        }

        RouteTarget best = TargetOrdering.LowestTierCheapest(candidates.Targets)!;
        return RouteDecision.To(best, RouterState.DefaultStrategyName, $"default target '{state.DefaultTarget.Name}' cannot serve this request; cheapest candidate");
    }
}
