namespace LlmRouting.Accounting;

/// <summary>
/// The running sums behind <see cref="RoutingLedgerTotals"/>, added in place: a ledger bucket records a request without
/// allocating, and builds the immutable totals only when they are read.
/// </summary>
internal struct LedgerSums
{
    private long _requests;
    private long _succeeded;
    private long _failed;
    private long _canceled;
    private long _fallbacks;
    private long _escalations;
    private long _cacheHits;
    private long _priced;
    private long _inputTokens;
    private long _outputTokens;
    private long _cachedInputTokens;
    private long _reasoningTokens;
    private decimal _cost;
    private decimal _baselineCost;
    private decimal _savings;

    /// <summary>Adds one finished route.</summary>
    /// <param name="route">The route.</param>
    public void Add(RouteInfo route)
    {
        Microsoft.Extensions.AI.UsageDetails? usage = route.Usage;
        _requests++;
        _succeeded += route.Outcome == RouteOutcome.Succeeded ? 1 : 0;
        _failed += route.Outcome == RouteOutcome.Failed ? 1 : 0;
        _canceled += route.Outcome is RouteOutcome.Canceled or RouteOutcome.Abandoned ? 1 : 0;
        _fallbacks += route.IsFallback ? 1 : 0;
        _escalations += route.IsEscalated ? 1 : 0;
        _cacheHits += route.IsCacheHit ? 1 : 0;
        _priced += route.Cost is not null ? 1 : 0;
        _inputTokens += usage?.InputTokenCount ?? 0;
        _outputTokens += usage?.OutputTokenCount ?? 0;
        _cachedInputTokens += usage?.CachedInputTokenCount ?? 0;
        _reasoningTokens += usage?.ReasoningTokenCount ?? 0;
        _cost += route.Cost ?? 0m;
        _baselineCost += route.Savings is null ? 0m : route.BaselineCost ?? 0m;
        _savings += route.Savings ?? 0m;
    }

    /// <summary>Gets the sums as totals.</summary>
    /// <returns>A new immutable snapshot.</returns>
    public readonly RoutingLedgerTotals ToTotals() => new()
    {
        Requests = _requests,
        Succeeded = _succeeded,
        Failed = _failed,
        Canceled = _canceled,
        Fallbacks = _fallbacks,
        Escalations = _escalations,
        CacheHits = _cacheHits,
        Priced = _priced,
        InputTokens = _inputTokens,
        OutputTokens = _outputTokens,
        CachedInputTokens = _cachedInputTokens,
        ReasoningTokens = _reasoningTokens,
        Cost = _cost,
        BaselineCost = _baselineCost,
        Savings = _savings,
    };
}
