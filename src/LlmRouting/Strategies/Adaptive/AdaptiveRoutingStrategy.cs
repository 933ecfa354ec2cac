using System.Globalization;
using LlmRouting.Statistics;

namespace LlmRouting.Strategies;

/// <summary>Routes by the adaptive estimate of premium need (<see cref="AdaptiveModel"/>): the default score, moved per region of request space where labels gave evidence.</summary>
/// <remarks>
/// <para>
/// With <see cref="AdaptiveModel.Empty"/> it decides exactly as the default premium-need score does; a trained model
/// (<c>llmroute train --router adaptive</c>) or a retrained one (<see cref="ReplaceModel"/>) moves decisions where the
/// labels show the economy target falls short or suffices, and keeps the prior elsewhere.
/// </para>
/// <para>
/// Thread-safe. <see cref="ReplaceModel"/> swaps the model atomically: a decision uses one model from start to end, and
/// its version is in the decision (<see cref="RouteDecision.Reason"/>, and <see cref="ModelVersion"/>). The reason never
/// contains prompt text. It abstains when the chosen target is not a candidate.
/// </para>
/// <para>
/// A request whose caller names its task (the <c>task</c> metadata) that none of the model's regions was labelled with
/// (<see cref="AdaptiveModel.Groups"/>) is a topic the labels never covered: it keeps the calibrated prior, ranked exactly
/// as the default score ranks it, instead of borrowing the shifts of similar topics
/// (<see cref="AdaptiveRoutingOptions.KeepPriorForUnknownTasks"/>). One whose task is one of those groups takes that
/// group's region shift rather than the shifts of the regions nearest its text (<see cref="AdaptiveRoutingOptions.UseTaskRegion"/>).
/// </para>
/// </remarks>
public sealed class AdaptiveRoutingStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "adaptive";

    private readonly double _threshold;
    private readonly string? _premium;
    private readonly string? _economy;
    private readonly bool _keepPriorForUnknownTasks;
    private readonly bool _useTaskRegion;
    private AdaptiveModel _model;

    /// <summary>Initializes a new instance of the <see cref="AdaptiveRoutingStrategy"/> class.</summary>
    /// <param name="model">The model; <see cref="AdaptiveModel.Empty"/> when <see langword="null"/>.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public AdaptiveRoutingStrategy(AdaptiveModel? model = null, AdaptiveRoutingOptions? options = null)
    {
        options ??= new AdaptiveRoutingOptions();
        options.Validate();
        _model = model ?? AdaptiveModel.Empty;
        _threshold = options.Threshold;
        _premium = options.PremiumTarget;
        _economy = options.EconomyTarget;
        _keepPriorForUnknownTasks = options.KeepPriorForUnknownTasks;
        _useTaskRegion = options.UseTaskRegion;
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the score from which requests go to the premium target.</summary>
    public double Threshold => _threshold;

    /// <summary>Gets the target named for scores at or above the threshold, or <see langword="null"/> for the first premium-tier candidate.</summary>
    internal string? PremiumTarget => _premium;

    /// <summary>Gets the target named for lower scores, or <see langword="null"/> for the first economy-tier candidate.</summary>
    internal string? EconomyTarget => _economy;

    /// <summary>Gets the model decisions use now.</summary>
    public AdaptiveModel Model => Volatile.Read(ref _model);

    /// <summary>Gets the version of the model decisions use now.</summary>
    public string ModelVersion => Model.Version;

    /// <summary>Replaces the model atomically; decisions in flight finish on the model they started with.</summary>
    /// <param name="model">The new model.</param>
    /// <returns>The model it replaced.</returns>
    public AdaptiveModel ReplaceModel(AdaptiveModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Interlocked.Exchange(ref _model, model);
    }

    /// <summary>Scores a request with the current model.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The estimated premium need, in [0, 1].</returns>
    public double Score(RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Score(request, Model, out _);
    }

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        AdaptiveModel model = Model;
        double score = Score(request, model, out string basis);
        bool premium = score >= _threshold;
        RouteTarget? target = premium
            ? Pick(candidates, _premium, QualityTier.Premium)
            : Pick(candidates, _economy, QualityTier.Economy);
        if (target is null)
        {
            return default;
        }

        string reason = string.Create(CultureInfo.InvariantCulture, $"adaptive score {score:0.000} {(premium ? ">=" : "<")} {_threshold:0.###} (model {model.Version}{basis})");
        return new(new RouteDecision([target], StrategyName, reason, score) { ModelVersion = model.Version });
    }

    /// <summary>
    /// The score of <paramref name="request"/> under <paramref name="model"/>, and what it rests on when the caller's task
    /// decided it (a suffix of the reason: never the task's name, never text).
    /// </summary>
    private double Score(RoutingRequest request, AdaptiveModel model, out string basis)
    {
        string? task = (_keepPriorForUnknownTasks || _useTaskRegion) && model.Groups.Count > 0
            ? request.Metadata(DefaultRouteContextSelector.TaskMetadataKey)
            : null;
        double score = model.Score(request.LastUserText, request.Analysis.PremiumNeed, task, _keepPriorForUnknownTasks, _useTaskRegion, out AdaptiveModel.TaskBasis used);
        basis = used switch
        {
            AdaptiveModel.TaskBasis.UnknownTask => "; a task the labels never named: calibrated prior",
            AdaptiveModel.TaskBasis.TaskRegion => "; the task's region",
            _ => string.Empty,
        };
        return score;
    }

    private static RouteTarget? Pick(RouteCandidates candidates, string? name, QualityTier tier)
    {
        if (name is not null)
        {
            return candidates.Find(name);
        }

        foreach (RouteTarget target in candidates.Targets)
        {
            if (target.Profile.Tier == tier)
            {
                return target;
            }
        }

        return null;
    }
}
