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

    /// <summary>
    /// Gets or sets the training settings of <see cref="AdaptiveLearner.RetrainAsync"/>: by default one region per task the
    /// labels name (<see cref="RoutingLabel.Task"/>: the caller's <c>task</c> metadata, else the analyzer's task type) when
    /// they name two or more, else k-means regions over the labels.
    /// </summary>
    /// <remarks>
    /// Tasks as regions are what lets the live router learn a topic (docs/learning.md: on RouteLLM's MMLU with 5 % audits
    /// and the subject as the task it rises from 0.605 to 0.64; retrained with k-means regions it stays at 0.57–0.61). Set
    /// <see cref="AdaptiveTrainingOptions.GroupRegions"/> to <see langword="false"/> for k-means regions whatever the tasks.
    /// </remarks>
    public AdaptiveTrainingOptions Training { get; set; } = new() { Regions = 64, MinLabelsPerRegion = 10, GroupRegions = true };
}
