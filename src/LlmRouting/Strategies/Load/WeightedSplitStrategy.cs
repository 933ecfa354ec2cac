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
    private readonly string[] _names;
    private readonly int[] _byWeight;
    private readonly string[] _fullReasons;
    private LoadSlots? _slots;

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
        _names = [.. _weights.Select(w => w.Key)];

        // Precomputed: the others' order (heaviest first, ties in configuration order) and, for requests where every
        // weighted target is a candidate, each share's reason.
        _byWeight = [.. Enumerable.Range(0, _weights.Length).OrderByDescending(i => _weights[i].Value)];
        double total = _weights.Sum(w => w.Value);
        _fullReasons = [.. _weights.SelectMany(w => new[] { Reason(sticky: false, w.Value / total), Reason(sticky: true, w.Value / total) })];
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        LoadSlots slots = LoadSlots.For(ref _slots, candidates.Registry, tracker: null, _names);
        Span<int> eligible = _weights.Length <= 64 ? stackalloc int[_weights.Length] : new int[_weights.Length];
        bool all = ReferenceEquals(candidates.Targets, candidates.Registry.Targets);
        int count = 0;
        double total = 0;
        for (int w = 0; w < _weights.Length; w++)
        {
            int index = slots.Configured![w];
            if (index >= 0 && (all || LoadSlots.IsCandidate(candidates.Targets, slots.Targets[index])))
            {
                eligible[count++] = w;
                total += _weights[w].Value;
            }
        }

        if (count == 0)
        {
            return default;
        }

        string? key = _stickyKey is null ? null : request.Metadata(_stickyKey);
        double u = key is null ? _random.NextDouble() : StableHash.Unit(key);
        double point = u * total;
        int chosen = eligible[count - 1];
        for (int i = 0; i < count; i++)
        {
            double weight = _weights[eligible[i]].Value;
            if (point < weight)
            {
                chosen = eligible[i];
                break;
            }

            point -= weight;
        }

        var ordered = new RouteTarget[count];
        ordered[0] = slots.Targets[slots.Configured![chosen]];
        int next = 1;
        foreach (int w in _byWeight)
        {
            if (w != chosen && eligible[..count].Contains(w))
            {
                ordered[next++] = slots.Targets[slots.Configured[w]];
            }
        }

        double share = _weights[chosen].Value / total;
        string reason = count == _weights.Length ? _fullReasons[(2 * chosen) + (key is null ? 0 : 1)] : Reason(key is not null, share);
        return new(new RouteDecision(ordered, StrategyName, reason, share));
    }

    private static string Reason(bool sticky, double share) =>
        string.Create(CultureInfo.InvariantCulture, $"{(sticky ? "sticky weighted split" : "weighted split")}: {share:P0} share");
}
