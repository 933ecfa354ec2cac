namespace LlmRouting.Accounting;

/// <summary>Totals over a set of routed requests: counts, tokens, cost and savings.</summary>
/// <remarks>
/// Money is in the currency the target prices are given in. <see cref="Cost"/> sums the requests that reported usage;
/// <see cref="BaselineCost"/> and <see cref="Savings"/> sum those that could also be priced at the baseline target.
/// Reasoning tokens are counted separately for information; providers include them in the output tokens, so they are
/// already priced in <see cref="Cost"/>.
/// </remarks>
public sealed record RoutingLedgerTotals
{
    /// <summary>Gets an empty set of totals.</summary>
    public static RoutingLedgerTotals Empty { get; } = new();

    /// <summary>Gets the number of requests.</summary>
    public long Requests { get; init; }

    /// <summary>Gets the number of requests that were answered.</summary>
    public long Succeeded { get; init; }

    /// <summary>Gets the number of requests that failed.</summary>
    public long Failed { get; init; }

    /// <summary>Gets the number of requests the caller cancelled or abandoned.</summary>
    public long Canceled { get; init; }

    /// <summary>Gets the number of requests a target other than the decision's primary served.</summary>
    public long Fallbacks { get; init; }

    /// <summary>Gets the number of requests escalated to a stronger target.</summary>
    public long Escalations { get; init; }

    /// <summary>Gets the number of requests a cache served.</summary>
    public long CacheHits { get; init; }

    /// <summary>Gets the number of requests that reported token usage.</summary>
    public long Priced { get; init; }

    /// <summary>Gets the input tokens reported.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens reported (reasoning tokens included).</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cached input tokens reported.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the reasoning tokens reported (a part of <see cref="OutputTokens"/>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>Gets what the requests cost at the serving targets' prices.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets what the same tokens would have cost at the baseline target's prices.</summary>
    public decimal BaselineCost { get; init; }

    /// <summary>Gets the money saved against the baseline; negative when routing cost more.</summary>
    public decimal Savings { get; init; }

    /// <summary>Gets the saving as a share of the baseline cost (0.6 = 60 % cheaper), or 0 with no baseline cost.</summary>
    public double SavingsRatio => BaselineCost == 0m ? 0d : (double)(Savings / BaselineCost);

    /// <summary>Gets the sum of these totals and <paramref name="other"/>.</summary>
    /// <param name="other">The other totals.</param>
    /// <returns>The sum.</returns>
    public RoutingLedgerTotals Add(RoutingLedgerTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new()
        {
            Requests = Requests + other.Requests,
            Succeeded = Succeeded + other.Succeeded,
            Failed = Failed + other.Failed,
            Canceled = Canceled + other.Canceled,
            Fallbacks = Fallbacks + other.Fallbacks,
            Escalations = Escalations + other.Escalations,
            CacheHits = CacheHits + other.CacheHits,
            Priced = Priced + other.Priced,
            InputTokens = InputTokens + other.InputTokens,
            OutputTokens = OutputTokens + other.OutputTokens,
            CachedInputTokens = CachedInputTokens + other.CachedInputTokens,
            ReasoningTokens = ReasoningTokens + other.ReasoningTokens,
            Cost = Cost + other.Cost,
            BaselineCost = BaselineCost + other.BaselineCost,
            Savings = Savings + other.Savings,
        };
    }

    /// <summary>Gets totals for a single route.</summary>
    /// <param name="route">The route.</param>
    /// <returns>The route's totals.</returns>
    public static RoutingLedgerTotals From(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var sums = default(LedgerSums);
        sums.Add(route);
        return sums.ToTotals();
    }
}
