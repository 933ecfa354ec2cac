using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Resilience;

/// <summary>
/// Opt-in hedging (Polly's hedging strategy): when the primary has not answered within its observed latency
/// percentile, the next target of the chain starts too; the first success wins and the others are cancelled. A
/// stream "answers" with its first update, so streams hedge on the observed time to first token. Every attempt's
/// cost is recorded.
/// </summary>
public sealed class HedgingOptions : IValidatableObject
{
    /// <summary>Gets or sets a value indicating whether requests are hedged.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets a value indicating whether streamed requests are hedged too (on the time to the first update), when <see cref="Enabled"/>.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool HedgeStreams { get; set; } = true;

    /// <summary>Gets or sets how many extra targets may be started for one request.</summary>
    /// <value>The default is 1.</value>
    [Range(1, 10)]
    public int MaxHedgedAttempts { get; set; } = 1;

    /// <summary>Gets or sets the latency percentile of the primary after which the next target starts.</summary>
    /// <value>The default is 0.95 (p95).</value>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Percentile { get; set; } = 0.95;

    /// <summary>Gets or sets how many recent successful latencies (for streams: times to first update) per target the percentile is computed from.</summary>
    /// <value>The default is 256.</value>
    [Range(1, int.MaxValue)]
    public int SampleSize { get; set; } = 256;

    /// <summary>Gets or sets how many observations a target needs before its percentile is trusted; until then <see cref="InitialDelay"/> applies.</summary>
    /// <value>The default is 20.</value>
    [NotNegative]
    public int MinimumSamples { get; set; } = 20;

    /// <summary>Gets or sets the hedging delay while a target has too few observations.</summary>
    /// <value>The default is 5 seconds.</value>
    [Positive]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the shortest hedging delay, however fast the primary usually is.</summary>
    /// <value>The default is 50 milliseconds.</value>
    [NotNegative]
    public TimeSpan MinimumDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc/>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MinimumSamples > SampleSize)
        {
            yield return new ValidationResult(FormattableString.Invariant($"must be at most SampleSize ({SampleSize}) (was {MinimumSamples})."), [nameof(MinimumSamples)]);
        }
    }
}
