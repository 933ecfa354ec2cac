using System.Globalization;

namespace LlmRouting.Strategies;

/// <summary>Picks two eligible targets at random and sends to the one with fewer calls in flight.</summary>
/// <remarks>Nearly as good as least-in-flight under load, without every instance herding onto the same target.</remarks>
public sealed class PowerOfTwoChoicesStrategy : LoadBalancingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "power-of-two";

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
        if (eligible.Count == 1)
        {
            return ([eligible[0]], "only target", null);
        }

        int first = _random.Next(eligible.Count);
        int second = _random.Next(eligible.Count - 1);
        if (second >= first)
        {
            second++;
        }

        TargetLoad a = Tracker.GetLoad(eligible[first].Name);
        TargetLoad b = Tracker.GetLoad(eligible[second].Name);
        RouteTarget chosen = b.InFlight < a.InFlight ? eligible[second] : eligible[first];
        RouteTarget other = ReferenceEquals(chosen, eligible[first]) ? eligible[second] : eligible[first];
        RouteTarget[] ordered = [chosen, other, .. eligible.Where(t => !ReferenceEquals(t, chosen) && !ReferenceEquals(t, other))];
        return (ordered, string.Create(CultureInfo.InvariantCulture, $"less loaded of two ({Math.Min(a.InFlight, b.InFlight)} vs {Math.Max(a.InFlight, b.InFlight)} in flight)"), null);
    }
}
