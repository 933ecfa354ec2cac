using System.Globalization;
using Microsoft.Extensions.Options;

namespace LlmRouting.Strategies;

/// <summary>Settings of the adaptive strategy (<see cref="AdaptiveRoutingStrategy"/>).</summary>
public sealed class AdaptiveRoutingOptions
{
    /// <summary>The options' name in validation messages.</summary>
    public const string SectionName = "LlmRouting:Adaptive";

    /// <summary>Gets or sets the path of a model file written by <c>llmroute train --router adaptive</c>; <see langword="null"/> starts from <see cref="AdaptiveModel.Empty"/> (the default score).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets the score from which requests go to <see cref="PremiumTarget"/>.</summary>
    /// <value>The default is 0.57, the classifier's threshold for the default score (about 30 % premium on MMLU-like traffic); recalibrate it for a trained model.</value>
    public double Threshold { get; set; } = ClassifierOptions.DefaultThreshold;

    /// <summary>Gets or sets the target for scores at or above <see cref="Threshold"/>.</summary>
    /// <value>The default is <see langword="null"/>: the first candidate of tier <see cref="QualityTier.Premium"/>.</value>
    public string? PremiumTarget { get; set; }

    /// <summary>Gets or sets the target for lower scores.</summary>
    /// <value>The default is <see langword="null"/>: the first candidate of tier <see cref="QualityTier.Economy"/>.</value>
    public string? EconomyTarget { get; set; }

    internal void Validate()
    {
        if (Threshold is < 0 or > 1 || double.IsNaN(Threshold))
        {
            throw new OptionsValidationException(SectionName, typeof(AdaptiveRoutingOptions), [string.Create(CultureInfo.InvariantCulture, $"{SectionName}:Threshold must be in [0, 1] (was {Threshold}).")]);
        }
    }
}
