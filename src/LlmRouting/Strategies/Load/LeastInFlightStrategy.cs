using System.Globalization;

namespace LlmRouting;

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
        RouteTarget best = eligible[0];
        long bestLoad = Tracker.GetLoad(best.Name).InFlight;
        for (int i = 1; i < eligible.Count; i++)
        {
            long load = Tracker.GetLoad(eligible[i].Name).InFlight;
            if (load < bestLoad)
            {
                (best, bestLoad) = (eligible[i], load);
            }
        }

        return (ChosenFirst(eligible, best, t => Tracker.GetLoad(t.Name).InFlight), string.Create(CultureInfo.InvariantCulture, $"fewest in flight ({bestLoad})"), bestLoad);
    }
}
