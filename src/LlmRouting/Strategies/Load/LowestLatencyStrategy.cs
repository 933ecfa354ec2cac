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
            TargetLoad load = Tracker.GetLoad(ordered[i].Name);
            keys[i] = Key.Of(load.Samples, load.LatencyEwma is { } ewma ? ewma.Ticks : -1, load.InFlight, minSamples);
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
            keys[i] = Key.Of(counters.Samples, ewma < 0 ? -1 : (long)ewma, counters.CurrentInFlight, minSamples);
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
            while (j >= 0 && keys[j].IsAfter(key))
            {
                keys[j + 1] = keys[j];
                ordered[j + 1] = ordered[j];
                j--;
            }

            keys[j + 1] = key;
            ordered[j + 1] = target;
        }

        Key best = keys[0];
        string reason = best.IsWarmingUp
            ? string.Create(CultureInfo.InvariantCulture, $"warming up ({best.Rank} of {minSamples} samples)")
            : LatencyReason(TimeSpan.FromTicks(best.EwmaTicks).TotalMilliseconds);
        return (ordered, reason, best.EwmaTicks < 0 ? null : TimeSpan.FromTicks(best.EwmaTicks).TotalMilliseconds);
    }

    private static string LatencyReason(double milliseconds)
    {
        double rounded = Math.Round(milliseconds, MidpointRounding.AwayFromZero);
        return rounded is >= 0 and < 4096 ? LatencyReasons[(int)rounded] ??= Format(rounded) : Format(rounded);

        static string Format(double ms) => string.Create(CultureInfo.InvariantCulture, $"lowest latency ({ms:0} ms)");
    }

    /// <summary>
    /// The sort key in one number: warming-up targets first, by their samples; then measured targets by smoothed latency
    /// (the top bit set, so every measured target comes after every warming-up one); then calls in flight.
    /// </summary>
    private readonly struct Key(ulong rank, long inFlight, long ewmaTicks)
    {
        private const ulong Measured = 1UL << 63;

        /// <summary>Gets the samples of a warming-up target, or the latency with the top bit set.</summary>
        public ulong Rank { get; } = rank;

        public long InFlight { get; } = inFlight;

        /// <summary>Gets the smoothed latency in ticks, or -1 before the first sample.</summary>
        public long EwmaTicks { get; } = ewmaTicks;

        public bool IsWarmingUp => (Rank & Measured) == 0;

        public static Key Of(long samples, long ewmaTicks, long inFlight, int minSamples) =>
            samples < minSamples || ewmaTicks < 0
                ? new Key((ulong)Math.Max(samples, 0), inFlight, ewmaTicks)
                : new Key(Measured | (ulong)ewmaTicks, inFlight, ewmaTicks);

        public bool IsAfter(Key other) => Rank != other.Rank ? Rank > other.Rank : InFlight > other.InFlight;
    }
}
