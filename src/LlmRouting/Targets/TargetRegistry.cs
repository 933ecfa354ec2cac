using System.Collections.Frozen;

namespace LlmRouting;

/// <summary>The set of targets a router can send requests to, in registration order.</summary>
/// <remarks>Immutable and thread-safe; a configuration reload builds a new registry.</remarks>
public sealed class TargetRegistry
{
    private readonly FrozenDictionary<string, RouteTarget> _byName;

    /// <summary>Initializes a new instance of the <see cref="TargetRegistry"/> class.</summary>
    /// <param name="targets">The targets, in registration order.</param>
    /// <exception cref="ArgumentException">The list is empty or two targets share a name.</exception>
    public TargetRegistry(IEnumerable<RouteTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        RouteTarget[] list = [.. targets];
        if (list.Length == 0)
        {
            throw new ArgumentException("A router needs at least one target.", nameof(targets));
        }

        var byName = new Dictionary<string, RouteTarget>(StringComparer.OrdinalIgnoreCase);
        foreach (RouteTarget target in list)
        {
            ArgumentNullException.ThrowIfNull(target, nameof(targets));
            if (!byName.TryAdd(target.Name, target))
            {
                throw new ArgumentException($"Two targets are named '{target.Name}'; target names must be unique.", nameof(targets));
            }
        }

        Targets = list;
        _byName = byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the targets in registration order.</summary>
    public IReadOnlyList<RouteTarget> Targets { get; }

    /// <summary>Gets the number of targets.</summary>
    public int Count => Targets.Count;

    /// <summary>Gets the target named <paramref name="name"/>.</summary>
    /// <param name="name">The target name (case-insensitive).</param>
    /// <returns>The target.</returns>
    /// <exception cref="KeyNotFoundException">No target has that name.</exception>
    public RouteTarget this[string name] =>
        TryGet(name, out RouteTarget? target) ? target : throw new KeyNotFoundException($"No target is named '{name}'. Known targets: {string.Join(", ", _byName.Keys)}.");

    /// <summary>Looks up a target by name.</summary>
    /// <param name="name">The target name (case-insensitive).</param>
    /// <param name="target">The target, when found.</param>
    /// <returns><see langword="true"/> if the target exists.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RouteTarget? target) =>
        _byName.TryGetValue(name, out target);
}
