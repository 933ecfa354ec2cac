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

    /// <summary>
    /// Gets or sets a value indicating whether a request whose <c>task</c> metadata names none of the model's groups
    /// (<see cref="AdaptiveModel.Groups"/>: the tasks or topics its labels came from) keeps the calibrated prior instead of
    /// borrowing the shifts of the nearest regions.
    /// </summary>
    /// <remarks>
    /// A text cannot tell whether its topic was in the labels; a caller that names it can. On MMLU with whole subjects held
    /// out, borrowing from similar subjects ranks one fold 0.021 APGR below the default score; keeping the prior ranks every
    /// held-out subject exactly as the default does (docs/learning.md). Requests without <c>task</c> metadata, and models of
    /// k-means regions (no groups), are unaffected. Name the training groups (files, <see cref="AdaptiveExample.Group"/>,
    /// or the labels' tasks) as the application names its tasks.
    /// </remarks>
    /// <value>The default is <see langword="true"/>.</value>
    public bool KeepPriorForUnknownTasks { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a request whose <c>task</c> metadata names one of the model's groups takes
    /// that group's region shift instead of the shifts of the regions nearest its text.
    /// </summary>
    /// <remarks>
    /// The region's shift is the pooled, shrunk estimate from that group's labels; the text's nearest regions can mix in
    /// neighbouring topics. On MMLU with every subject in training (5 folds by prompt) naming each prompt's subject raises
    /// the APGR from 0.641 (text alone) to 0.655 (docs/learning.md). Requests without <c>task</c> metadata, and models of
    /// k-means regions, are unaffected.
    /// </remarks>
    /// <value>The default is <see langword="true"/>.</value>
    public bool UseTaskRegion { get; set; } = true;

    internal void Validate()
    {
        if (Threshold is < 0 or > 1 || double.IsNaN(Threshold))
        {
            throw new OptionsValidationException(SectionName, typeof(AdaptiveRoutingOptions), [string.Create(CultureInfo.InvariantCulture, $"{SectionName}:Threshold must be in [0, 1] (was {Threshold}).")]);
        }
    }
}
