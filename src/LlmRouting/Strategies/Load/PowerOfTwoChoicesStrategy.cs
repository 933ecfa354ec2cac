using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Picks two eligible targets at random and sends to the one with fewer calls in flight.</summary>
/// <remarks>Nearly as good as least-in-flight under load, without every instance herding onto the same target.</remarks>
public sealed class PowerOfTwoChoicesStrategy : LoadBalancingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "power-of-two";

    /// <summary>Reasons for loads below 16, built on first use: a decision does not format numbers.</summary>
    private static readonly string?[] Reasons = new string?[256];

    private readonly Random _random;

    /// <summary>Initializes a new instance of the <see cref="PowerOfTwoChoicesStrategy"/> class.</summary>
    /// <param name="tracker">The load tracker.</param>
    /// <param name="targets">The targets to balance over; <see langword="null"/> for every candidate.</param>
    /// <param name="random">The random source; it must be thread-safe (the default is <see cref="Random.Shared"/>). Pass a seeded one in tests.</param>
    public PowerOfTwoChoicesStrategy(TargetLoadTracker tracker, IEnumerable<string>? targets = null, Random? random = null)
        : base(tracker, targets)
    {
        _random = random ?? Random.Shared;
    }

    /// <inheritdoc/>
    public override string Name => StrategyName;

    /// <inheritdoc/>
    protected override (RouteTarget[] Ordered, string Reason, double? Score) Choose(RoutingRequest request, IReadOnlyList<RouteTarget> eligible)
    {
        ArgumentNullException.ThrowIfNull(eligible);
        if (eligible.Count == 1)
        {
            return ([eligible[0]], "only target", null);
        }

        (int first, int second) = Pick(eligible.Count);
        long a = Tracker.GetLoad(eligible[first].Name).InFlight;
        long b = Tracker.GetLoad(eligible[second].Name).InFlight;
        RouteTarget[] ordered = [.. eligible];
        return Order(ordered, first, second, a, b);
    }

    /// <inheritdoc/>
    private protected override RouteDecision Decide(RoutingRequest request, LoadSlots slots, ReadOnlySpan<int> eligible)
    {
        if (eligible.Length == 1)
        {
            return new RouteDecision([slots.Targets[eligible[0]]], StrategyName, "only target");
        }

        (int first, int second) = Pick(eligible.Length);
        long a = slots.Counters[eligible[first]].CurrentInFlight;
        long b = slots.Counters[eligible[second]].CurrentInFlight;
        RouteTarget[] ordered = new RouteTarget[eligible.Length];
        for (int i = 0; i < eligible.Length; i++)
        {
            ordered[i] = slots.Targets[eligible[i]];
        }

        (RouteTarget[] targets, string reason, double? score) = Order(ordered, first, second, a, b);
        return new RouteDecision(targets, StrategyName, reason, score);
    }

    private (int First, int Second) Pick(int count)
    {
        int first = _random.Next(count);
        int second = _random.Next(count - 1);
        return (first, second >= first ? second + 1 : second);
    }

    /// <summary>Puts the less loaded of the two first, the other second, the rest after them in their order (in place).</summary>
    private static (RouteTarget[] Ordered, string Reason, double? Score) Order(RouteTarget[] ordered, int first, int second, long a, long b)
    {
        (int chosen, int other) = b < a ? (second, first) : (first, second);
        RouteTarget chosenTarget = ordered[chosen];
        RouteTarget otherTarget = ordered[other];
        int write = ordered.Length - 1;
        for (int read = ordered.Length - 1; read >= 0; read--)
        {
            if (read != chosen && read != other)
            {
                ordered[write--] = ordered[read];
            }
        }

        ordered[0] = chosenTarget;
        ordered[1] = otherTarget;
        long low = Math.Min(a, b);
        long high = Math.Max(a, b);
        string reason = low >= 0 && high < 16 ? Reasons[(low * 16) + high] ??= Reason(low, high) : Reason(low, high);
        return (ordered, reason, null);
    }

    private static string Reason(long low, long high) => string.Create(CultureInfo.InvariantCulture, $"less loaded of two ({low} vs {high} in flight)");
}
