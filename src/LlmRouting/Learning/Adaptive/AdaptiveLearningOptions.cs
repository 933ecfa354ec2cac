using System.ComponentModel.DataAnnotations;
using LlmRouting.Strategies;

namespace LlmRouting.Learning;

/// <summary>Settings of the adaptive router's online learner (<see cref="AdaptiveLearner"/>).</summary>
public sealed class AdaptiveLearningOptions
{
    /// <summary>Gets or sets the prefix of the learner's keys in the statistics store; give routers sharing a store different prefixes.</summary>
    /// <value>The default is <c>adaptive</c>.</value>
    [Required]
    public string KeyPrefix { get; set; } = "adaptive";

    /// <summary>Gets or sets after how many labels taken in by this instance the model is rebuilt from the shared evidence.</summary>
    /// <value>The default is 20.</value>
    [Range(1, 1_000_000)]
    public int RefreshEvery { get; set; } = 20;

    /// <summary>Gets or sets how often the model is rebuilt from the shared evidence (other instances' labels) and the model file checked for a new version; <see cref="TimeSpan.Zero"/> turns the timer off.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the file the learner watches (each <see cref="RefreshInterval"/>): a new version written there (<c>llmroute train --router adaptive</c>) replaces the model; <see langword="null"/> watches none.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets the training settings of <see cref="AdaptiveLearner.RetrainAsync"/> (regions found by k-means over the labels).</summary>
    public AdaptiveTrainingOptions Training { get; set; } = new() { Regions = 64, MinLabelsPerRegion = 10 };
}
