using System.Globalization;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Splits traffic between targets by weight — A/B tests and canary percentages — optionally sticky per user or session.</summary>
/// <remarks>Weights are renormalised over the targets that are candidates for the request, so a filtered-out target's share goes to the others.</remarks>
public sealed class WeightedSplitStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "weighted-split";

    private readonly KeyValuePair<string, double>[] _weights;
    private readonly string? _stickyKey;
    private readonly Random _random;

    /// <summary>Initializes a new instance of the <see cref="WeightedSplitStrategy"/> class.</summary>
    /// <param name="options">The weights and stickiness.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">No weights, a negative weight or a zero total.</exception>
    public WeightedSplitStrategy(WeightedSplitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.ThrowIfInvalid(options, "WeightedSplit");
        _weights = [.. options.Weights.Where(kv => kv.Value > 0)];
        _stickyKey = options.StickyKey;
        _random = options.Random ?? Random.Shared;
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        var eligible = new List<(RouteTarget Target, double Weight)>(_weights.Length);
        double total = 0;
        foreach ((string name, double weight) in _weights)
        {
            if (candidates.Find(name) is { } candidate)
            {
                eligible.Add((candidate, weight));
                total += weight;
            }
        }

        if (eligible.Count == 0)
        {
            return default;
        }

        string? key = _stickyKey is null ? null : request.Metadata(_stickyKey);
        double u = key is null ? _random.NextDouble() : StableHash.Unit(key);
        double point = u * total;
        int chosen = eligible.Count - 1;
        for (int i = 0; i < eligible.Count; i++)
        {
            if (point < eligible[i].Weight)
            {
                chosen = i;
                break;
            }

            point -= eligible[i].Weight;
        }

        RouteTarget target = eligible[chosen].Target;
        RouteTarget[] ordered = [target, .. eligible.Where((_, i) => i != chosen).OrderByDescending(e => e.Weight).Select(e => e.Target)];
        string reason = string.Create(CultureInfo.InvariantCulture, $"{(key is null ? "weighted split" : "sticky weighted split")}: {eligible[chosen].Weight / total:P0} share");
        return new(new RouteDecision(ordered, StrategyName, reason, eligible[chosen].Weight / total));
    }
}
