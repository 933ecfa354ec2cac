using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using LlmRouting.Agents;
using LlmRouting.Analysis;

namespace LlmRouting;

/// <summary>An immutable snapshot of everything the router needs; a configuration reload swaps in a new one.</summary>
internal sealed class RouterState
{
    public RouterState(
        TargetRegistry registry,
        IReadOnlyList<IRouteCandidateFilter> filters,
        IReadOnlyList<IRoutingStrategy> strategies,
        RouteTarget defaultTarget,
        RouteTarget? baseline,
        RouteExecutor executor,
        IReadOnlyList<IRouteObserver> observers,
        TimeProvider timeProvider,
        ILogger logger,
        bool traced = false,
        IRequestAnalyzer? analyzer = null,
        CallerModelIdMode callerModelIds = CallerModelIdMode.Pin,
        AgentSessions? agents = null,
        string? routerName = null)
    {
        Agents = agents;
        RouterName = routerName;
        Analyzer = analyzer ?? RequestAnalyzer.Default;
        Traced = traced;
        Registry = registry;
        Filters = filters;
        Strategies = strategies;
        DefaultTarget = defaultTarget;
        Baseline = baseline;
        Executor = executor;
        Observers = observers;
        TimeProvider = timeProvider;
        Logger = logger;
        DefaultDecision = RouteDecision.To(defaultTarget, DefaultStrategyName, "default target");
        CallerModelIds = callerModelIds;
        Pins = callerModelIds == CallerModelIdMode.Pin ? PinsOf(registry) : FrozenDictionary<string, RouteTarget[]>.Empty;
    }

    public const string DefaultStrategyName = "default";

    /// <summary>The strategy name of a request a caller's model id pinned to a target.</summary>
    public const string PinnedStrategyName = "pinned";

    /// <summary>Gets what the router does with a caller's model id.</summary>
    public CallerModelIdMode CallerModelIds { get; }

    /// <summary>Gets the targets each pinning model id names: target names and the targets' model ids, case-insensitive, in registration order.</summary>
    public FrozenDictionary<string, RouteTarget[]> Pins { get; }

    /// <summary>Set once a caller's unknown model id has been warned about (once per configuration).</summary>
    public int WarnedUnknownModelId;

    public TargetRegistry Registry { get; }

    public IReadOnlyList<IRouteCandidateFilter> Filters { get; }

    public IReadOnlyList<IRoutingStrategy> Strategies { get; }

    public RouteTarget DefaultTarget { get; }

    public RouteTarget? Baseline { get; }

    public RouteExecutor Executor { get; }

    /// <summary>Gets the observers told of every completed route, in order (with telemetry on, the composition puts the metrics observer first).</summary>
    public IReadOnlyList<IRouteObserver> Observers { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the request analyzer.</summary>
    public IRequestAnalyzer Analyzer { get; }

    /// <summary>Gets a value indicating whether telemetry is on: the router wraps itself in the span decorator (metrics are an observer, in <see cref="Observers"/>).</summary>
    public bool Traced { get; }

    /// <summary>Gets the named router's name (on its spans); <see langword="null"/> for the unnamed router.</summary>
    public string? RouterName { get; }

    /// <summary>Gets the agent bookkeeping (sessions, affinity, loop detection, turn totals); <see langword="null"/> when no agent feature is on.</summary>
    public AgentSessions? Agents { get; }

    /// <summary>Gets the cached decision for the default target, used when it is a candidate and no strategy decided.</summary>
    public RouteDecision DefaultDecision { get; }

    private static FrozenDictionary<string, RouteTarget[]> PinsOf(TargetRegistry registry)
    {
        var pins = new Dictionary<string, List<RouteTarget>>(StringComparer.OrdinalIgnoreCase);
        foreach (RouteTarget target in registry.Targets)
        {
            foreach (string? name in new[] { target.Name, target.Profile.ModelId })
            {
                if (name is not null)
                {
                    List<RouteTarget> list = pins.TryGetValue(name, out List<RouteTarget>? found) ? found : pins[name] = [];
                    if (!list.Contains(target))
                    {
                        list.Add(target);
                    }
                }
            }
        }

        return pins.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
    }
}
