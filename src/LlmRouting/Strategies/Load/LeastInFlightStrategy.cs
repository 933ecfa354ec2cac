using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Sends the request to the target with the fewest calls in flight (ties: registration order).</summary>
public sealed class LeastInFlightStrategy : LoadBalancingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "least-in-flight";

    private static readonly string[] Reasons = [.. Enumerable.Range(0, 64).Select(i => Reason(i))];

    /// <summary>Initializes a new instance of the <see cref="LeastInFlightStrategy"/> class.</summary>
    /// <param name="tracker">The load tracker.</param>
    /// <param name="targets">The targets to balance over; <see langword="null"/> for every candidate.</param>
    public LeastInFlightStrategy(TargetLoadTracker tracker, IEnumerable<string>? targets = null)
        : base(tracker, targets)
    {
    }

    /// <inheritdoc/>
    public override string Name => StrategyName;

    /// <inheritdoc/>
    protected override (RouteTarget[] Ordered, string Reason, double? Score) Choose(RoutingRequest request, IReadOnlyList<RouteTarget> eligible)
    {
        ArgumentNullException.ThrowIfNull(eligible);
        RouteTarget[] ordered = [.. eligible];
        Span<long> loads = ordered.Length <= 64 ? stackalloc long[ordered.Length] : new long[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            loads[i] = Tracker.GetLoad(ordered[i].Name).InFlight;
        }

        return Order(ordered, loads);
    }

    /// <inheritdoc/>
    private protected override RouteDecision Decide(RoutingRequest request, LoadSlots slots, ReadOnlySpan<int> eligible)
    {
        RouteTarget[] ordered = new RouteTarget[eligible.Length];
        Span<long> loads = eligible.Length <= 64 ? stackalloc long[eligible.Length] : new long[eligible.Length];
        for (int i = 0; i < eligible.Length; i++)
        {
            ordered[i] = slots.Targets[eligible[i]];
            loads[i] = slots.Counters[eligible[i]].CurrentInFlight;
        }

        (RouteTarget[] targets, string reason, double? score) = Order(ordered, loads);
        return new RouteDecision(targets, StrategyName, reason, score);
    }

    /// <summary>Sorts the targets in place by calls in flight; the insertion sort is stable, so ties keep their order.</summary>
    private static (RouteTarget[] Ordered, string Reason, double? Score) Order(RouteTarget[] ordered, Span<long> loads)
    {
        for (int i = 1; i < ordered.Length; i++)
        {
            long load = loads[i];
            RouteTarget target = ordered[i];
            int j = i - 1;
            while (j >= 0 && loads[j] > load)
            {
                loads[j + 1] = loads[j];
                ordered[j + 1] = ordered[j];
                j--;
            }

            loads[j + 1] = load;
            ordered[j + 1] = target;
        }

        long best = loads[0];
        return (ordered, best is >= 0 and < 64 ? Reasons[best] : Reason(best), best);
    }

    private static string Reason(long inFlight) => string.Create(CultureInfo.InvariantCulture, $"fewest in flight ({inFlight})");
}
