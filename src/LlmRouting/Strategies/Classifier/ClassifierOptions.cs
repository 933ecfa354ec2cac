namespace LlmRouting.Strategies;

/// <summary>Settings of the classifier strategy; bound from the <c>LlmRouting:Classifier</c> configuration section.</summary>
/// <remarks>
/// Either set <see cref="Thresholds"/> (any number of score bands), or the two-target shorthand
/// <see cref="PremiumTarget"/>, <see cref="EconomyTarget"/> and <see cref="Threshold"/>. When neither target is named,
/// the first target of tier <see cref="QualityTier.Premium"/> and the first of tier <see cref="QualityTier.Economy"/> are used.
/// </remarks>
public sealed class ClassifierOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "LlmRouting:Classifier";

    /// <summary>The default threshold: with the default premium-need score it sends about 30 % of MMLU-like traffic to premium (see docs/evaluation.md).</summary>
    public const double DefaultThreshold = 0.57;

    /// <summary>The threshold that sends about 30 % of MMLU-like traffic to premium with the shipped n-gram model (<see cref="UseShippedModel"/>).</summary>
    public const double ShippedModelThreshold = 0.2;

    /// <summary>Gets or sets the path of a model file trained with <c>llmroute train</c>; <see langword="null"/> scores with the premium-need score (or the shipped model, see <see cref="UseShippedModel"/>).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets a value indicating whether to score with the shipped n-gram model (<see cref="ClassifierModel.Default"/>, trained on MMLU) instead of the premium-need score when no <see cref="ModelPath"/> is set.</summary>
    /// <value>The default is <see langword="false"/>: the shipped model learnt topic vocabulary and does not beat the premium-need score on unseen subjects (docs/evaluation.md); set <see cref="Threshold"/> to <see cref="ShippedModelThreshold"/> with it.</value>
    public bool UseShippedModel { get; set; }

    /// <summary>Gets or sets the score from which requests go to <see cref="PremiumTarget"/>.</summary>
    /// <value>The default is <see cref="DefaultThreshold"/>.</value>
    public double Threshold { get; set; } = DefaultThreshold;

    /// <summary>Gets or sets the target for requests scoring at least <see cref="Threshold"/>.</summary>
    /// <value>The default is <see langword="null"/>: the first target of tier <see cref="QualityTier.Premium"/>.</value>
    public string? PremiumTarget { get; set; }

    /// <summary>Gets or sets the target for requests scoring below <see cref="Threshold"/>.</summary>
    /// <value>The default is <see langword="null"/>: the first target of tier <see cref="QualityTier.Economy"/>.</value>
    public string? EconomyTarget { get; set; }

    /// <summary>Gets the score bands; when not empty they replace the two-target shorthand.</summary>
    public IList<ClassifierThreshold> Thresholds { get; } = [];
}
