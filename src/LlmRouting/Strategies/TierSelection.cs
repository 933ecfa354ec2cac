using LlmRouting.Costs;

namespace LlmRouting.Strategies;

/// <summary>Picks the cheapest candidate of a quality tier for a request (the cost tie-break inside a tier).</summary>
internal static class TierSelection
{
    /// <summary>Returns the candidate of <paramref name="tier"/> with the lowest estimated cost, or <see langword="null"/> when the tier has no candidate.</summary>
    public static RouteTarget? Cheapest(RouteCandidates candidates, QualityTier tier, RoutingRequest request, int expectedOutputTokens) => TargetOrdering.LowestTierCheapest(candidates.Targets, t => t.Profile.Tier == tier, t => RoutingCost.Estimate(request, t.Profile, expectedOutputTokens));

    /// <summary>Gets a value indicating whether any candidate belongs to <paramref name="tier"/>.</summary>
    public static bool HasTier(RouteCandidates candidates, QualityTier tier)
    {
        foreach (RouteTarget target in candidates.Targets)
        {
            if (target.Profile.Tier == tier)
            {
                return true;
            }
        }

        return false;
    }
}
