using System.Globalization;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>
/// Maps each key (user, session, tenant …) to the same target every time — for provider-side prompt caches and
/// consistent behaviour per user — with a hash ring, so adding or removing a target moves only about 1/N of keys.
/// </summary>
/// <remarks>
/// When the key's target is not a candidate for a request (filtered, unhealthy), the request walks the ring to
/// the next target, and returns to its own target once that is back: other keys are not reshuffled.
/// </remarks>
public sealed class ConsistentHashStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "consistent-hash";

    /// <summary>How many targets a decision lists: the key's home and fallbacks along the ring.</summary>
    private const int MaxTargets = 3;

    private readonly string _key;
    private readonly ulong[] _points;
    private readonly string[] _owners;
    private readonly int _distinct;

    /// <summary>Initializes a new instance of the <see cref="ConsistentHashStrategy"/> class.</summary>
    /// <param name="targets">The target names on the ring.</param>
    /// <param name="options">The key and ring settings.</param>
    public ConsistentHashStrategy(IEnumerable<string> targets, ConsistentHashOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new ConsistentHashOptions();
        OptionsValidation.ThrowIfInvalid(options, "ConsistentHash");
        string[] names = [.. targets.Distinct(StringComparer.OrdinalIgnoreCase)];
        if (names.Length == 0)
        {
            throw new ArgumentException("A hash ring needs at least one target.", nameof(targets));
        }

        _key = options.Key;
        _distinct = names.Length;
        var ring = new List<(ulong Point, string Owner)>(names.Length * options.VirtualNodes);
        foreach (string name in names)
        {
            for (int v = 0; v < options.VirtualNodes; v++)
            {
                ring.Add((StableHash.Hash(string.Create(CultureInfo.InvariantCulture, $"{name.ToUpperInvariant()}#{v}")), name));
            }
        }

        ring.Sort((a, b) => a.Point.CompareTo(b.Point));
        _points = [.. ring.Select(r => r.Point)];
        _owners = [.. ring.Select(r => r.Owner)];
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the target name that owns <paramref name="key"/> when every target is available.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The owning target's name.</returns>
    public string Owner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _owners[Start(key)];
    }

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        if (request.Metadata(_key) is not { Length: > 0 } key)
        {
            return default;
        }

        int limit = Math.Min(MaxTargets, Math.Min(_distinct, candidates.Count));
        var ordered = new List<RouteTarget>(limit);
        int start = Start(key);
        string? previous = null;
        for (int i = 0; i < _points.Length && ordered.Count < limit; i++)
        {
            // Neighbouring ring points often share an owner: skip repeats without a lookup.
            if (ReferenceEquals(_owners[(start + i) % _points.Length], previous))
            {
                continue;
            }

            previous = _owners[(start + i) % _points.Length];
            if (candidates.Find(_owners[(start + i) % _points.Length]) is { } target && !ordered.Contains(target))
            {
                ordered.Add(target);
            }
        }

        if (ordered.Count == 0)
        {
            return default;
        }

        bool home = string.Equals(ordered[0].Name, _owners[start], StringComparison.OrdinalIgnoreCase);
        return new(new RouteDecision([.. ordered], StrategyName, home ? $"hash of '{_key}'" : $"hash of '{_key}' (home target unavailable)"));
    }

    private int Start(string key)
    {
        int index = Array.BinarySearch(_points, StableHash.Hash(key));
        index = index < 0 ? ~index : index;
        return index == _points.Length ? 0 : index;
    }
}
