using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Diagnostics;
using LlmRouting.Statistics;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>
/// A contextual bandit that learns, per request context and target, which target gives the best
/// quality − λ·cost, from outcomes reported through <c>RouteFeedback</c>.
/// </summary>
/// <remarks>
/// <para>
/// Each (context, target) pair keeps running reward totals in the <see cref="IRoutingStatisticsStore"/> (in memory by
/// default, shared across instances with a distributed store). The expected reward is a Gaussian posterior around the
/// mean, starting from an optimistic prior so every target is tried. A share <see cref="BanditOptions.ExplorationRate"/>
/// of requests is decided by Thompson sampling (a draw from each posterior); the rest go to the best posterior mean.
/// </para>
/// <para>
/// It chooses only among the request's candidates, so it never violates a filter; the other candidates follow the chosen
/// one in the decision in order of expected reward (fallbacks). It abstains when none of its targets is a candidate.
/// Thread-safe.
/// </para>
/// </remarks>
public sealed class BanditStrategy : IRoutingStrategy, IRouteOutcomeListener
{
    /// <summary>The strategy's name in configuration and in <see cref="RouteInfo.Strategy"/>.</summary>
    public const string StrategyName = "bandit";

    private readonly IRoutingStatisticsStore _store;
    private readonly IRouteContextSelector _contextSelector;
    private readonly BanditOptions _options;
    private readonly HashSet<string>? _targets;
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="BanditStrategy"/> class.</summary>
    /// <param name="store">Where reward totals are kept.</param>
    /// <param name="contextSelector">Maps requests to contexts (must be the one <c>RouteFeedback</c> uses); <see cref="DefaultRouteContextSelector"/> when <see langword="null"/>.</param>
    /// <param name="options">The settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range (each failure names its field).</exception>
    public BanditStrategy(IRoutingStatisticsStore store, IRouteContextSelector? contextSelector = null, BanditOptions? options = null, ILogger<BanditStrategy>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new BanditOptions();
        OptionsValidation.ThrowIfInvalid(_options, BanditOptions.SectionName);
        _store = store;
        _contextSelector = contextSelector ?? DefaultRouteContextSelector.Instance;
        _targets = _options.Targets.Count == 0 ? null : new HashSet<string>(_options.Targets, StringComparer.OrdinalIgnoreCase);
        _random = _options.Random ?? Random.Shared;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the targets the strategy chooses between; empty means every candidate.</summary>
    internal IList<string> Targets => _options.Targets;

    /// <inheritdoc/>
    public async ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        List<RouteTarget> arms = new(candidates.Count);
        foreach (RouteTarget target in candidates.Targets)
        {
            if (_targets is null || _targets.Contains(target.Name))
            {
                arms.Add(target);
            }
        }

        if (arms.Count == 0)
        {
            return null;
        }

        string context = _contextSelector.SelectContext(request);
        string[] keys = new string[arms.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = Key(context, arms[i].Name);
        }

        IReadOnlyDictionary<string, RoutingStatistic> stats = await _store.GetAsync(keys, cancellationToken).ConfigureAwait(false);
        var scored = new Arm[arms.Count];
        bool explore = NextDouble() < _options.ExplorationRate;
        for (int i = 0; i < scored.Length; i++)
        {
            RoutingStatistic stat = stats.TryGetValue(keys[i], out RoutingStatistic s) ? s : default;
            double weight = _options.PriorWeight + stat.Count;
            double mean = ((_options.PriorMean * _options.PriorWeight) + stat.Sum) / weight;
            double noise = stat.Count >= 2 ? Math.Max(Math.Sqrt(stat.Variance), _options.RewardNoise) : _options.RewardNoise;
            double value = explore ? mean + (noise / Math.Sqrt(weight) * NextGaussian()) : mean;
            scored[i] = new Arm(arms[i], mean, stat.Count, value);
        }

        // Chosen first, the others by expected reward (they serve as fallbacks); stable for equal scores.
        Arm chosen = scored[0];
        foreach (Arm arm in scored)
        {
            if (arm.Value > chosen.Value)
            {
                chosen = arm;
            }
        }

        var ordered = new List<RouteTarget>(scored.Length) { chosen.Target };
        foreach (Arm arm in scored.Where(a => !ReferenceEquals(a.Target, chosen.Target)).OrderByDescending(a => a.Mean))
        {
            ordered.Add(arm.Target);
        }

        string mode = explore ? "explore" : "exploit";
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.BanditChose(_logger, chosen.Target.Name, context, mode, chosen.Mean, chosen.Count);
        }

        string reason = string.Create(CultureInfo.InvariantCulture, $"context {context}: {mode}, mean reward {chosen.Mean:0.###} over {chosen.Count} outcomes");
        return new RouteDecision(ordered, StrategyName, reason, chosen.Mean);
    }

    /// <summary>Stores the reward of a route's outcome: score − <see cref="BanditOptions.CostWeight"/> × cost.</summary>
    /// <param name="route">The route.</param>
    /// <param name="score">The outcome score, from 0 to 1.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the reward is stored.</returns>
    public ValueTask OnOutcomeAsync(RouteFeedbackEntry route, double score, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (_targets is not null && !_targets.Contains(route.Target))
        {
            return ValueTask.CompletedTask;
        }

        return _store.RecordAsync(Key(route.Context, route.Target), Reward(score, route.Cost), cancellationToken);
    }

    /// <summary>Gets the reward the strategy maximises for an outcome.</summary>
    /// <param name="score">The outcome score, from 0 to 1.</param>
    /// <param name="cost">What the request cost, if known (unknown counts as free).</param>
    /// <returns>score − <see cref="BanditOptions.CostWeight"/> × cost.</returns>
    public double Reward(double score, decimal? cost) => score - (_options.CostWeight * (double)(cost ?? 0m));

    /// <summary>Gets the statistics key of a context and target.</summary>
    /// <param name="context">The context.</param>
    /// <param name="target">The target name.</param>
    /// <returns><c>{prefix}:{context}:{target}</c>, the target name lower-cased.</returns>
    public string Key(string context, string target)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        return string.Concat(_options.KeyPrefix, ":", context, ":", target.ToLowerInvariant());
    }

    private double NextDouble()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }

    private double NextGaussian()
    {
        double u1, u2;
        lock (_randomGate)
        {
            u1 = 1d - _random.NextDouble();
            u2 = _random.NextDouble();
        }

        return Math.Sqrt(-2d * Math.Log(u1)) * Math.Cos(2d * Math.PI * u2);
    }

    private readonly record struct Arm(RouteTarget Target, double Mean, long Count, double Value);
}
