using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Sends the request to the target with the lowest smoothed latency (time to first token for streams).</summary>
/// <remarks>Targets with fewer than <see cref="LoadTrackingOptions.MinSamples"/> measurements are tried first, fewest samples first, so a new or recovered target gets measured instead of starving.</remarks>
public sealed class LowestLatencyStrategy : LoadBalancingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "lowest-latency";

    /// <summary>Reasons by whole milliseconds, built on first use: a decision does not format a number.</summary>
    private static readonly string?[] LatencyReasons = new string?[4096];

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
        ArgumentNullException.ThrowIfNull(eligible);
        RouteTarget[] ordered = [.. eligible];
        int minSamples = Tracker.Options.MinSamples;
        Span<Key> keys = ordered.Length <= 64 ? stackalloc Key[ordered.Length] : new Key[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            keys[i] = Key.Of(Tracker.GetLoad(ordered[i].Name), minSamples);
        }

        return Order(ordered, keys, minSamples);
    }

    /// <inheritdoc/>
    private protected override RouteDecision Decide(RoutingRequest request, LoadSlots slots, ReadOnlySpan<int> eligible)
    {
        RouteTarget[] ordered = new RouteTarget[eligible.Length];
        int minSamples = Tracker.Options.MinSamples;
        Span<Key> keys = eligible.Length <= 64 ? stackalloc Key[eligible.Length] : new Key[eligible.Length];
        for (int i = 0; i < eligible.Length; i++)
        {
            ordered[i] = slots.Targets[eligible[i]];
            TargetLoadTracker.Counters counters = slots.Counters[eligible[i]];
            double ewma = counters.EwmaTicks;
            keys[i] = Key.Of(counters.Samples, ewma < 0 ? null : TimeSpan.FromTicks((long)ewma), counters.CurrentInFlight, minSamples);
        }

        (RouteTarget[] targets, string reason, double? score) = Order(ordered, keys, minSamples);
        return new RouteDecision(targets, StrategyName, reason, score);
    }

    /// <summary>Sorts the targets in place, warming-up targets first; the insertion sort is stable, so ties keep registration order.</summary>
    private static (RouteTarget[] Ordered, string Reason, double? Score) Order(RouteTarget[] ordered, Span<Key> keys, int minSamples)
    {
        for (int i = 1; i < ordered.Length; i++)
        {
            Key key = keys[i];
            RouteTarget target = ordered[i];
            int j = i - 1;
            while (j >= 0 && keys[j].CompareTo(key) > 0)
            {
                keys[j + 1] = keys[j];
                ordered[j + 1] = ordered[j];
                j--;
            }

            keys[j + 1] = key;
            ordered[j + 1] = target;
        }

        Key best = keys[0];
        string reason = best.Warm == 0
            ? string.Create(CultureInfo.InvariantCulture, $"warming up ({best.Samples} of {minSamples} samples)")
            : LatencyReason(best.Latency);
        return (ordered, reason, double.IsNaN(best.EwmaMilliseconds) ? null : best.EwmaMilliseconds);
    }

    private static string LatencyReason(double milliseconds)
    {
        double rounded = Math.Round(milliseconds, MidpointRounding.AwayFromZero);
        return rounded is >= 0 and < 4096 ? LatencyReasons[(int)rounded] ??= Format(rounded) : Format(rounded);

        static string Format(double ms) => string.Create(CultureInfo.InvariantCulture, $"lowest latency ({ms:0} ms)");
    }

    /// <summary>The sort key: warming-up targets (fewest samples first), then by latency, then by calls in flight.</summary>
    private readonly record struct Key(int Warm, double Latency, long InFlight, long Samples, double EwmaMilliseconds)
    {
        public static Key Of(TargetLoad load, int minSamples) => Of(load.Samples, load.LatencyEwma, load.InFlight, minSamples);

        public static Key Of(long samples, TimeSpan? ewma, long inFlight, int minSamples) =>
            samples < minSamples || ewma is null
                ? new Key(0, samples, inFlight, samples, ewma?.TotalMilliseconds ?? double.NaN)
                : new Key(1, ewma.Value.TotalMilliseconds, inFlight, samples, ewma.Value.TotalMilliseconds);

        public int CompareTo(Key other) =>
            Warm != other.Warm ? Warm.CompareTo(other.Warm) :
            Latency != other.Latency ? Latency.CompareTo(other.Latency) :
            InFlight.CompareTo(other.InFlight);
    }
}
