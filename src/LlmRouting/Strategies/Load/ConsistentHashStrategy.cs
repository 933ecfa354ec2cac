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
    private readonly int[] _ownerIndex;
    private readonly string[] _names;
    private readonly int _distinct;
    private readonly string _homeReason;
    private readonly string _awayReason;
    private LoadSlots? _slots;

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
        _names = names;
        _homeReason = $"hash of '{_key}'";
        _awayReason = $"hash of '{_key}' (home target unavailable)";
        var ring = new List<(ulong Point, int Owner)>(names.Length * options.VirtualNodes);
        for (int n = 0; n < names.Length; n++)
        {
            for (int v = 0; v < options.VirtualNodes; v++)
            {
                ring.Add((StableHash.Hash(string.Create(CultureInfo.InvariantCulture, $"{names[n].ToUpperInvariant()}#{v}")), n));
            }
        }

        ring.Sort((a, b) => a.Point.CompareTo(b.Point));
        _points = [.. ring.Select(r => r.Point)];
        _ownerIndex = [.. ring.Select(r => r.Owner)];
        _owners = [.. ring.Select(r => names[r.Owner])];
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

        // Ring owners are resolved to the registry once per configuration; the walk then compares indices only.
        LoadSlots slots = LoadSlots.For(ref _slots, candidates.Registry, tracker: null, _names);
        bool all = ReferenceEquals(candidates.Targets, candidates.Registry.Targets);
        int limit = Math.Min(MaxTargets, Math.Min(_distinct, candidates.Count));
        Span<int> picked = stackalloc int[MaxTargets];
        Span<bool> seen = _distinct <= 256 ? stackalloc bool[_distinct] : new bool[_distinct];
        int count = 0;
        int visited = 0;
        int start = Start(key);
        for (int i = 0; i < _points.Length && count < limit && visited < _distinct; i++)
        {
            int owner = _ownerIndex[(start + i) % _points.Length];
            if (seen[owner])
            {
                continue;
            }

            seen[owner] = true;
            visited++;
            int index = slots.Configured![owner];
            if (index >= 0 && !picked[..count].Contains(index) && (all || LoadSlots.IsCandidate(candidates.Targets, slots.Targets[index])))
            {
                picked[count++] = index;
            }
        }

        if (count == 0)
        {
            return default;
        }

        var ordered = new RouteTarget[count];
        for (int i = 0; i < count; i++)
        {
            ordered[i] = slots.Targets[picked[i]];
        }

        bool home = string.Equals(ordered[0].Name, _owners[start], StringComparison.OrdinalIgnoreCase);
        return new(new RouteDecision(ordered, StrategyName, home ? _homeReason : _awayReason));
    }

    private int Start(string key)
    {
        int index = Array.BinarySearch(_points, StableHash.Hash(key));
        index = index < 0 ? ~index : index;
        return index == _points.Length ? 0 : index;
    }
}
