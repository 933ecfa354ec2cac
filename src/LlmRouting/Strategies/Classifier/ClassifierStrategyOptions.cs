namespace LlmRouting;

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

    /// <summary>The default threshold: with the shipped model it sends about 30 % of MMLU-like traffic to premium (see docs/evaluation.md).</summary>
    public const double DefaultThreshold = 0.2;

    /// <summary>Gets or sets the path of a model file trained with <c>llmroute train</c>; <see langword="null"/> uses <see cref="ClassifierModel.Default"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ModelPath { get; set; }

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
