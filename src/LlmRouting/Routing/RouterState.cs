using Microsoft.Extensions.Logging;
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
        IRequestAnalyzer? analyzer = null)
    {
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
    }

    public const string DefaultStrategyName = "default";

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

    /// <summary>Gets the cached decision for the default target, used when it is a candidate and no strategy decided.</summary>
    public RouteDecision DefaultDecision { get; }
}
