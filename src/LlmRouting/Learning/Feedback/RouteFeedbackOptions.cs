namespace LlmRouting.Learning;

/// <summary>Settings of <see cref="RouteFeedback"/>: how many recent routes it remembers and for how long.</summary>
public sealed class RouteFeedbackOptions
{
    /// <summary>Gets or sets the most routes remembered; the oldest are forgotten first.</summary>
    /// <value>The default is 10,000.</value>
    public int Capacity { get; set; } = 10_000;

    /// <summary>Gets or sets how long after routing an outcome is accepted.</summary>
    /// <value>The default is one hour.</value>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (Capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "RouteFeedbackOptions.Capacity must be positive.");
        }

        if (RetentionPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetentionPeriod), RetentionPeriod, "RouteFeedbackOptions.RetentionPeriod must be positive.");
        }
    }
}
