using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>How the load tracker smooths latency.</summary>
public sealed class LoadTrackingOptions
{
    /// <summary>Gets or sets the weight of the newest latency sample in the moving average, in (0, 1].</summary>
    /// <value>The default is 0.3.</value>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Smoothing { get; set; } = 0.3;

    /// <summary>Gets or sets the samples a target needs before its latency is trusted; colder targets are tried first so they get measured.</summary>
    /// <value>The default is 3.</value>
    [NotNegative]
    public int MinSamples { get; set; } = 3;
}
