namespace LlmRouting.Strategies;

/// <summary>One band of the classifier's score: requests scoring at least <see cref="MinScore"/> go to <see cref="Target"/> (the highest band reached wins).</summary>
public sealed class ClassifierThreshold
{
    /// <summary>Gets or sets the target name.</summary>
    /// <value>The default is an empty string (invalid until set).</value>
    public string Target { get; set; } = string.Empty;

    /// <summary>Gets or sets the lowest score, in [0, 1], that selects <see cref="Target"/>.</summary>
    /// <value>The default is 0 (every score).</value>
    public double MinScore { get; set; }
}
