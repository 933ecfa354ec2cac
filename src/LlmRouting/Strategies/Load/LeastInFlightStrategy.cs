using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Sends the request to the target with the fewest calls in flight (ties: registration order).</summary>
public sealed class LeastInFlightStrategy : LoadBalancingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "least-in-flight";

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
        // One snapshot per target per decision; a stable sort keeps registration order among equals.
        long[] loads = new long[eligible.Count];
        int[] order = new int[eligible.Count];
        for (int i = 0; i < loads.Length; i++)
        {
            loads[i] = Tracker.GetLoad(eligible[i].Name).InFlight;
            order[i] = i;
        }

        Array.Sort(order, (a, b) => loads[a] != loads[b] ? loads[a].CompareTo(loads[b]) : a.CompareTo(b));
        RouteTarget[] ordered = new RouteTarget[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            ordered[i] = eligible[order[i]];
        }

        long best = loads[order[0]];
        return (ordered, string.Create(CultureInfo.InvariantCulture, $"fewest in flight ({best})"), best);
    }
}
