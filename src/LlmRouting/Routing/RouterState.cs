using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using LlmRouting.Analysis;
using LlmRouting.Telemetry;

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
        RoutingMetrics? metrics = null,
        IRequestAnalyzer? analyzer = null,
        CallerModelIdMode callerModelIds = CallerModelIdMode.Pin)
    {
        Analyzer = analyzer ?? RequestAnalyzer.Default;
        Metrics = metrics;
        Registry = registry;
        Filters = filters;
        Strategies = strategies;
        DefaultTarget = defaultTarget;
        Baseline = baseline;
        Executor = executor;
        Observers = metrics is null ? observers : [new MetricsRouteObserver(metrics), .. observers];
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

    /// <summary>Gets the observers told of every completed route, in order (with telemetry on, the metrics first).</summary>
    public IReadOnlyList<IRouteObserver> Observers { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the request analyzer.</summary>
    public IRequestAnalyzer Analyzer { get; }

    /// <summary>Gets the metric instruments (recorded by an observer); <see langword="null"/> when telemetry is off (no spans, no metrics).</summary>
    public RoutingMetrics? Metrics { get; }

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
