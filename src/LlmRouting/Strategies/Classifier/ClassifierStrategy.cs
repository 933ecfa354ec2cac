using System.Globalization;
using LlmRouting.Analysis;

namespace LlmRouting.Strategies;

/// <summary>Routes by a local estimate that the request needs the premium target; score bands map to targets.</summary>
/// <remarks>
/// <para>
/// Without a model the score is the zero-shot premium-need score (<see cref="RequestAnalysis.PremiumNeed"/>), which
/// transfers across domains; with a model it is <see cref="ClassifierModel.Score(ReadOnlySpan{char})"/> of the latest
/// user message (an n-gram model trained with <c>llmroute train</c> on your own labelled traffic). Either is computed
/// locally in microseconds, with no model call. The highest band whose minimum the score reaches names
/// the target. When that target is not a candidate for the request (filtered out by capability, context window
/// or policy) the strategy abstains, so the next strategy in the chain decides.
/// </para>
/// <para>Thread-safe; the reason recorded never contains prompt text.</para>
/// </remarks>
public sealed class ClassifierStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "classifier";

    private readonly ClassifierThreshold[] _bands;

    /// <summary>Initializes a new instance of the <see cref="ClassifierStrategy"/> class with two targets.</summary>
    /// <param name="model">The model; <see langword="null"/> scores with the premium-need score.</param>
    /// <param name="premiumTarget">The target for scores at or above <paramref name="threshold"/>.</param>
    /// <param name="economyTarget">The target for lower scores.</param>
    /// <param name="threshold">The threshold, in [0, 1].</param>
    public ClassifierStrategy(ClassifierModel? model, string premiumTarget, string economyTarget, double threshold)
        : this(model, [new ClassifierThreshold { Target = economyTarget, MinScore = 0 }, new ClassifierThreshold { Target = premiumTarget, MinScore = threshold }])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClassifierStrategy"/> class with score bands.</summary>
    /// <param name="model">The model; <see langword="null"/> scores with the premium-need score.</param>
    /// <param name="thresholds">The bands; scores below the lowest band abstain.</param>
    /// <exception cref="ArgumentException">No band is given, a band has no target, or a minimum score is outside [0, 1].</exception>
    public ClassifierStrategy(ClassifierModel? model, IEnumerable<ClassifierThreshold> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        ClassifierThreshold[] bands = [.. thresholds];
        if (bands.Length == 0)
        {
            throw new ArgumentException("The classifier strategy needs at least one threshold band.", nameof(thresholds));
        }

        for (int i = 0; i < bands.Length; i++)
        {
            ClassifierThreshold band = bands[i] ?? throw new ArgumentException($"Threshold band {i} is null.", nameof(thresholds));
            if (string.IsNullOrWhiteSpace(band.Target))
            {
                throw new ArgumentException($"Threshold band {i} names no target.", nameof(thresholds));
            }

            if (band.MinScore is < 0 or > 1 || double.IsNaN(band.MinScore))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Threshold band {i} ('{band.Target}'): MinScore must be in [0, 1] (was {band.MinScore})."), nameof(thresholds));
            }
        }

        // Copies, highest band first, so later changes to the caller's objects do not change decisions.
        _bands = [.. bands.Select(b => new ClassifierThreshold { Target = b.Target, MinScore = b.MinScore }).OrderByDescending(b => b.MinScore)];
        Model = model;
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the model, or <see langword="null"/> when the strategy scores with the premium-need score.</summary>
    public ClassifierModel? Model { get; }

    /// <summary>Gets the score bands, highest first.</summary>
    public IReadOnlyList<ClassifierThreshold> Thresholds => _bands;

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        double score = Model is { } model ? model.Score(request.LastUserText) : request.Analysis.PremiumNeed;
        foreach (ClassifierThreshold band in _bands)
        {
            if (score < band.MinScore)
            {
                continue;
            }

            if (candidates.Find(band.Target) is not { } target)
            {
                return default;
            }

            string reason = string.Create(CultureInfo.InvariantCulture, $"{(Model is null ? "premium-need" : "classifier")} score {score:0.000} >= {band.MinScore:0.###}");
            return new(RouteDecision.To(target, StrategyName, reason, score));
        }

        return default;
    }
}
