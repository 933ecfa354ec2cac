namespace LlmRouting.Accounting;

/// <summary>Totals of quality audits: how many compared answers, how many the cheaper answer matched or beat the reference, and what the audits cost.</summary>
/// <param name="Audits">The audits with a verdict.</param>
/// <param name="Matched">Those where the served (cheaper) answer matched or beat the reference.</param>
/// <param name="Cost">What the audits cost (reference and judge calls), accounted apart from the requests' cost.</param>
public sealed record RoutingAuditTotals(long Audits, long Matched, decimal Cost)
{
    /// <summary>Gets the totals of no audit.</summary>
    public static RoutingAuditTotals Empty { get; } = new(0, 0, 0m);

    /// <summary>Gets the share of audits the cheaper answer matched or beat the reference, from 0 to 1 (0 without audits).</summary>
    public double MatchRate => Audits == 0 ? 0 : (double)Matched / Audits;

    /// <summary>Returns the sum of these totals and <paramref name="other"/>.</summary>
    /// <param name="other">The totals to add.</param>
    /// <returns>The sum.</returns>
    public RoutingAuditTotals Add(RoutingAuditTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Audits + other.Audits, Matched + other.Matched, Cost + other.Cost);
    }
}
