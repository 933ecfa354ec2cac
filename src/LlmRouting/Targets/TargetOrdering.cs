namespace LlmRouting;

/// <summary>
/// The one ordering of targets by tier and price: "the lowest tier, then the cheapest" (the router's default when the
/// default target cannot serve, the escalation target, a judge's choice within a tier) and "the nearest tier, then the
/// cheapest" (the fallback chain's remaining candidates).
/// </summary>
internal static class TargetOrdering
{
    /// <summary>A target's list price: input plus output per million tokens.</summary>
    public static decimal UnitPrice(RouteTarget target) => target.Profile.InputPricePerMillion + target.Profile.OutputPricePerMillion;

    /// <summary>The lowest-tier target of <paramref name="targets"/> that <paramref name="where"/> allows, the cheapest within the tier; the first on a tie.</summary>
    /// <param name="targets">The targets, in their order.</param>
    /// <param name="where">Which targets may be chosen; <see langword="null"/> for all.</param>
    /// <param name="price">The price to compare; <see langword="null"/> for <see cref="UnitPrice"/>.</param>
    /// <returns>The target, or <see langword="null"/> when none is allowed.</returns>
    public static RouteTarget? LowestTierCheapest(IReadOnlyList<RouteTarget> targets, Func<RouteTarget, bool>? where = null, Func<RouteTarget, decimal>? price = null)
    {
        RouteTarget? best = null;
        decimal bestPrice = 0m;
        foreach (RouteTarget target in targets)
        {
            if (where is not null && !where(target))
            {
                continue;
            }

            decimal p = price?.Invoke(target) ?? UnitPrice(target);
            if (best is null || target.Profile.Tier < best.Profile.Tier || (target.Profile.Tier == best.Profile.Tier && p < bestPrice))
            {
                best = target;
                bestPrice = p;
            }
        }

        return best;
    }

    /// <summary><paramref name="targets"/> from the tier nearest <paramref name="tier"/> outwards (the higher tier first at equal distance), the cheapest first within a tier; stable.</summary>
    public static IEnumerable<RouteTarget> NearestTier(IEnumerable<RouteTarget> targets, QualityTier tier) =>
        targets
            .OrderBy(t => Math.Abs((int)t.Profile.Tier - (int)tier))
            .ThenByDescending(t => t.Profile.Tier)
            .ThenBy(UnitPrice);
}
