using LlmRouting.Configuration;

namespace LlmRouting.Learning;

/// <summary>Settings of <see cref="RouteFeedback"/>: how many recent routes it remembers and for how long; validated when the router is built (and by its constructor).</summary>
public sealed class RouteFeedbackOptions
{
    /// <summary>Gets or sets the most routes remembered; the oldest are forgotten first.</summary>
    /// <value>The default is 10,000.</value>
    [Positive]
    public int Capacity { get; set; } = 10_000;

    /// <summary>Gets or sets how long after routing an outcome is accepted.</summary>
    /// <value>The default is one hour.</value>
    [Positive]
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);
}
