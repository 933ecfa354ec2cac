using Microsoft.Extensions.Logging;
using LlmRouting.Agents;
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
        AgentSessions? agents = null)
    {
        Agents = agents;
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
    }

    public const string DefaultStrategyName = "default";

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

    /// <summary>Gets the agent bookkeeping (sessions, affinity, loop detection, turn totals); <see langword="null"/> when no agent feature is on.</summary>
    public AgentSessions? Agents { get; }

    /// <summary>Gets the cached decision for the default target, used when it is a candidate and no strategy decided.</summary>
    public RouteDecision DefaultDecision { get; }
}
