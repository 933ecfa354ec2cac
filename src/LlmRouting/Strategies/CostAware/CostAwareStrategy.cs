using System.Globalization;
using LlmRouting.Analysis;
using LlmRouting.Costs;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>
/// Sends each request to the cheapest candidate whose predicted quality clears the request's difficulty —
/// cheap models for routine requests, premium ones only where they are needed — within per-tenant or per-user budgets.
/// </summary>
/// <remarks>
/// <para>
/// Cost is estimated per target from the request's token estimate and the expected output length at the
/// target's prices. Quality comes from a tier table or per-target values; difficulty from the analyzer (or
/// any function, e.g. a classifier's probability that premium is needed).
/// </para>
/// <para>
/// Budgets: as a scope's spend nears its limit (<see cref="BudgetOptions.DegradeAt"/>) premium targets are
/// avoided; at the limit the cheapest candidate serves, or the request is refused with
/// <see cref="BudgetExceededException"/>. Utilisation counts what is spent and what requests in flight have reserved.
/// Under a refusing budget, targets whose reservation estimate no longer fits in what is left are skipped (the request
/// is refused when none fits); the reservation itself is taken atomically by <c>BudgetReservingChatClient</c>
/// around each target call, which is what makes the limit hold under concurrency.
/// </para>
/// </remarks>
public sealed class CostAwareStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "cost-aware";

    /// <summary>The path validation failures of <see cref="CostAwareOptions"/> configured in code are named under.</summary>
    internal const string OptionsPath = "CostAware";

    private readonly CostAwareOptions _options;
    private readonly Func<RoutingRequest, double> _difficulty;
    private readonly IBudgetStore _budgets;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="CostAwareStrategy"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="budgetStore">The budget store; the default is a new <see cref="InMemoryBudgetStore"/>.</param>
    /// <param name="timeProvider">The time provider for budget windows.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range (each failure names its field).</exception>
    public CostAwareStrategy(CostAwareOptions? options = null, IBudgetStore? budgetStore = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new CostAwareOptions();
        OptionsValidation.ThrowIfInvalid(_options, OptionsPath);
        _difficulty = _options.Difficulty ?? DefaultDifficulty;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _budgets = budgetStore ?? new InMemoryBudgetStore(_timeProvider);
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>The default difficulty: the zero-shot premium-need score (<see cref="RequestAnalysis.PremiumNeed"/>), raised to 0.6 for medium and 0.8 for high risk.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The difficulty in [0, 1].</returns>
    /// <remarks>
    /// The premium-need score orders requests by signals that transfer across domains (length, sentences, topic-free
    /// cue words, numbers in an open question, code, conversation depth; see docs/evaluation.md). The risk floors are a
    /// policy, not a quality estimate: requests the analyzer rates as medium or high risk are kept away from the weakest tier.
    /// </remarks>
    public static double DefaultDifficulty(RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestAnalysis analysis = request.Analysis;
        double difficulty = Math.Max(analysis.PremiumNeed, analysis.Risk switch { RiskLevel.High => 0.8, RiskLevel.Medium => 0.6, _ => 0 });
        return Math.Clamp(difficulty, 0, 1);
    }

    /// <summary>Finds the difficulty threshold that sends at most <paramref name="premiumShare"/> of a sample to premium (RouteLLM-style calibration).</summary>
    /// <param name="sample">Representative requests.</param>
    /// <param name="premiumShare">The largest share of premium calls, in [0, 1].</param>
    /// <param name="difficulty">The difficulty function; the default is <see cref="DefaultDifficulty"/>.</param>
    /// <returns>The value for <see cref="CostAwareOptions.PremiumThreshold"/>.</returns>
    public static double CalibratePremiumThreshold(IEnumerable<RoutingRequest> sample, double premiumShare, Func<RoutingRequest, double>? difficulty = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (!(premiumShare >= 0 && premiumShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(premiumShare), premiumShare, "The premium share must be in [0, 1].");
        }

        Func<RoutingRequest, double> score = difficulty ?? DefaultDifficulty;
        double[] scores = [.. sample.Select(score)];
        if (scores.Length == 0)
        {
            throw new ArgumentException("Calibration needs at least one sample request.", nameof(sample));
        }

        Array.Sort(scores);

        // Requests at or above the threshold may go premium: at most ⌊share·n⌋ of them (ties above the cut are excluded).
        int allowed = (int)Math.Floor(premiumShare * scores.Length);
        if (allowed <= 0)
        {
            return Math.BitIncrement(scores[^1]);
        }

        if (allowed >= scores.Length)
        {
            return scores[0];
        }

        // Ties at the cut would let more than the share through: then the threshold moves just above them.
        double cut = scores[scores.Length - allowed];
        int atOrAbove = scores.Length - LowerBound(scores, cut);
        return atOrAbove > allowed ? Math.BitIncrement(cut) : cut;

        static int LowerBound(double[] sorted, double value)
        {
            int index = Array.BinarySearch(sorted, value);
            if (index < 0)
            {
                return ~index;
            }

            while (index > 0 && sorted[index - 1] >= value)
            {
                index--;
            }

            return index;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            return null;
        }

        double difficulty = Math.Clamp(_difficulty(request), 0, 1);
        double need = difficulty + _options.Margin;
        BudgetState budget = await BudgetUtilizationAsync(request, cancellationToken).ConfigureAwait(false);
        return Decide(request, candidates.Targets, difficulty, need, budget);
    }

    /// <summary>Orders the candidates by cost and quality (no LINQ: index spans and stable insertion sorts, one array returned).</summary>
    private RouteDecision Decide(RoutingRequest request, IReadOnlyList<RouteTarget> targets, double difficulty, double need, BudgetState budget)
    {
        int n = targets.Count;
        Span<double> quality = n <= 64 ? stackalloc double[n] : new double[n];
        Span<decimal> cost = n <= 64 ? stackalloc decimal[n] : new decimal[n];
        Span<int> pool = n <= 64 ? stackalloc int[n] : new int[n];
        int count = 0;
        decimal left = budget.Tightest is { } t ? t.Budget.Limit - t.Balance.Committed : decimal.MaxValue;
        decimal cheapestRefused = decimal.MaxValue;
        for (int i = 0; i < n; i++)
        {
            // A refusing budget would refuse these targets' reservations: keep only what still fits.
            if (budget.Tightest is not null && _options.ReservationEstimate(request, targets[i].Profile) is var reservation && reservation > left)
            {
                cheapestRefused = Math.Min(cheapestRefused, reservation);
                continue;
            }

            quality[i] = QualityOf(targets[i]);
            cost[i] = RoutingCost.Estimate(request, targets[i].Profile, _options.ExpectedOutputTokens);
            pool[count++] = i;
        }

        if (count == 0)
        {
            // Every candidate was refused above, so the cheapest refused reservation is the cheapest of all.
            (BudgetOptions Budget, string Scope, BudgetBalance Balance) tightest = budget.Tightest!.Value;
            throw new BudgetExceededException(tightest.Budget.ScopeKey, tightest.Scope, tightest.Budget.Period, tightest.Budget.Limit, tightest.Balance, cheapestRefused, tightest.Budget.WindowAt(_timeProvider.GetUtcNow()).End);
        }

        if (budget.Utilization >= 1)
        {
            Span<int> byCost = pool[..count];
            Sort(byCost, quality, cost, cheapFirst: true);
            return Decision(targets, byCost, string.Create(CultureInfo.InvariantCulture, $"budget spent ({budget.Budget!.ScopeKey}): cheapest candidate"), difficulty);
        }

        // Premium is kept for hard requests (premium-share mode) and dropped when a budget nears its limit, unless nothing else can serve.
        bool capPremium = (_options.PremiumThreshold is { } threshold && difficulty < threshold) || budget.Utilization >= (budget.Budget?.DegradeAt ?? double.MaxValue);
        bool anyOther = false;
        foreach (int i in pool[..count])
        {
            anyOther |= targets[i].Profile.Tier != QualityTier.Premium;
        }

        // Good enough (cheapest first) ahead of the rest (strongest first), each group in candidate order before sorting.
        Span<int> ordered = n <= 64 ? stackalloc int[count] : new int[count];
        int good = 0;
        int total = 0;
        foreach (int i in pool[..count])
        {
            if (!(capPremium && anyOther && targets[i].Profile.Tier == QualityTier.Premium) && quality[i] >= need)
            {
                ordered[total++] = i;
                good++;
            }
        }

        foreach (int i in pool[..count])
        {
            if (!(capPremium && anyOther && targets[i].Profile.Tier == QualityTier.Premium) && quality[i] < need)
            {
                ordered[total++] = i;
            }
        }

        Sort(ordered[..good], quality, cost, cheapFirst: true);
        Sort(ordered[good..total], quality, cost, cheapFirst: false);
        // Standard formats, not custom ones (a custom format is parsed on every call): F2 rounds the double exactly (0.015 is
        // 0.01499… and prints 0.01, where "0.00" printed 0.02), and the estimate is F6 trimmed, which prints what "0.######" did.
        Span<char> estimate = stackalloc char[48];
        string why = good > 0
            ? string.Create(CultureInfo.InvariantCulture, $"cheapest good enough: quality {quality[ordered[0]]:F2} >= difficulty {need:F2}, est. {Trimmed(cost[ordered[0]], estimate)}")
            : string.Create(CultureInfo.InvariantCulture, $"none clears difficulty {need:F2}: strongest candidate (quality {quality[ordered[0]]:F2})");
        if (capPremium)
        {
            why += budget.Utilization >= (budget.Budget?.DegradeAt ?? double.MaxValue)
                ? string.Create(CultureInfo.InvariantCulture, $"; premium avoided, budget {budget.Utilization:P0} used")
                : "; below premium threshold";
        }

        return Decision(targets, ordered[..total], why, difficulty);
    }

    /// <summary><paramref name="value"/> to six decimals without trailing zeros (as the format <c>0.######</c> prints it), in <paramref name="buffer"/>.</summary>
    internal static ReadOnlySpan<char> Trimmed(decimal value, Span<char> buffer)
    {
        if (!value.TryFormat(buffer, out int written, "F6", CultureInfo.InvariantCulture))
        {
            return value.ToString("0.######", CultureInfo.InvariantCulture);
        }

        ReadOnlySpan<char> text = buffer[..written].TrimEnd('0').TrimEnd('.');
        return text is "-0" ? "0" : text;
    }

    /// <summary>A stable insertion sort of candidate indices: cheapest first then strongest (<paramref name="cheapFirst"/>), or strongest first then cheapest.</summary>
    private static void Sort(Span<int> indices, ReadOnlySpan<double> quality, ReadOnlySpan<decimal> cost, bool cheapFirst)
    {
        for (int i = 1; i < indices.Length; i++)
        {
            int item = indices[i];
            int j = i - 1;
            while (j >= 0 && Compare(indices[j], item, quality, cost, cheapFirst) > 0)
            {
                indices[j + 1] = indices[j];
                j--;
            }

            indices[j + 1] = item;
        }

        static int Compare(int a, int b, ReadOnlySpan<double> quality, ReadOnlySpan<decimal> cost, bool cheapFirst)
        {
            int byCost = cost[a].CompareTo(cost[b]);
            int byQuality = quality[b].CompareTo(quality[a]);
            return cheapFirst ? (byCost != 0 ? byCost : byQuality) : (byQuality != 0 ? byQuality : byCost);
        }
    }

    private static RouteDecision Decision(IReadOnlyList<RouteTarget> targets, ReadOnlySpan<int> ordered, string reason, double difficulty)
    {
        var result = new RouteTarget[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            result[i] = targets[ordered[i]];
        }

        return new(result, StrategyName, reason, difficulty);
    }

    private double QualityOf(RouteTarget target) =>
        _options.TargetQuality.TryGetValue(target.Name, out double quality) ? quality :
        _options.TierQuality.TryGetValue(target.Profile.Tier, out double tier) ? tier : 0.5;

    /// <summary>The highest utilisation (spent plus reserved) among the budgets that apply, and the refusing budget with the least left; throws when a refusing budget is spent.</summary>
    private async ValueTask<BudgetState> BudgetUtilizationAsync(RoutingRequest request, CancellationToken cancellationToken)
    {
        double highest = 0;
        BudgetOptions? worst = null;
        (BudgetOptions Budget, string Scope, BudgetBalance Balance)? tightest = null;
        DateTimeOffset now = _timeProvider.GetUtcNow();
        foreach (BudgetOptions budget in _options.Budgets.Indexed())
        {
            if (request.Metadata(budget.ScopeKey) is not { Length: > 0 } scope)
            {
                continue;
            }

            BudgetBalance balance = await _budgets.GetBalanceAsync(budget.KeyAt(scope, now), cancellationToken).ConfigureAwait(false);
            double utilization = (double)(balance.Committed / budget.Limit);
            if (budget.RefuseAtLimit)
            {
                if (balance.Spent >= budget.Limit)
                {
                    throw new BudgetExceededException(budget.ScopeKey, scope, budget.Period, budget.Limit, balance.Spent, budget.WindowAt(now).End);
                }

                if (tightest is null || budget.Limit - balance.Committed < tightest.Value.Budget.Limit - tightest.Value.Balance.Committed)
                {
                    tightest = (budget, scope, balance);
                }
            }

            if (utilization >= highest)
            {
                highest = utilization;
                worst = budget;
            }
        }

        return new BudgetState(highest, worst, tightest);
    }

    private readonly record struct BudgetState(double Utilization, BudgetOptions? Budget, (BudgetOptions Budget, string Scope, BudgetBalance Balance)? Tightest);
}
