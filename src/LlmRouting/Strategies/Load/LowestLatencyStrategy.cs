using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Sends the request to the target with the lowest smoothed latency (time to first token for streams).</summary>
/// <remarks>Targets with fewer than <see cref="LoadTrackingOptions.MinSamples"/> measurements are tried first, fewest samples first, so a new or recovered target gets measured instead of starving.</remarks>
public sealed class LowestLatencyStrategy : LoadBalancingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "lowest-latency";

    /// <summary>Initializes a new instance of the <see cref="LowestLatencyStrategy"/> class.</summary>
    /// <param name="tracker">The load tracker.</param>
    /// <param name="targets">The targets to balance over; <see langword="null"/> for every candidate.</param>
    public LowestLatencyStrategy(TargetLoadTracker tracker, IEnumerable<string>? targets = null)
        : base(tracker, targets)
    {
    }

    /// <inheritdoc/>
    public override string Name => StrategyName;

    /// <inheritdoc/>
    protected override (RouteTarget[] Ordered, string Reason, double? Score) Choose(RoutingRequest request, IReadOnlyList<RouteTarget> eligible)
    {
        int minSamples = Tracker.Options.MinSamples;
        TargetLoad[] loads = new TargetLoad[eligible.Count];
        int[] order = new int[eligible.Count];
        for (int i = 0; i < loads.Length; i++)
        {
            loads[i] = Tracker.GetLoad(eligible[i].Name);
            order[i] = i;
        }

        // One snapshot per target per decision; ties keep registration order.
        Array.Sort(order, (a, b) =>
        {
            int byKey = Key(loads[a], minSamples).CompareTo(Key(loads[b], minSamples));
            return byKey != 0 ? byKey : a.CompareTo(b);
        });
        RouteTarget[] ordered = new RouteTarget[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            ordered[i] = eligible[order[i]];
        }

        TargetLoad load = loads[order[0]];
        string reason = load.Samples < minSamples || load.LatencyEwma is null
            ? string.Create(CultureInfo.InvariantCulture, $"warming up ({load.Samples} of {minSamples} samples)")
            : string.Create(CultureInfo.InvariantCulture, $"lowest latency ({load.LatencyEwma.Value.TotalMilliseconds:0} ms)");
        return (ordered, reason, load.LatencyEwma?.TotalMilliseconds);
    }

    private static (int Warm, double Latency, long InFlight) Key(TargetLoad load, int minSamples) =>
        load.Samples < minSamples || load.LatencyEwma is null
            ? (0, load.Samples, load.InFlight)
            : (1, load.LatencyEwma.Value.TotalMilliseconds, load.InFlight);
}
