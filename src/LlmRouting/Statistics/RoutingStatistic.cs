namespace LlmRouting.Statistics;

/// <summary>Running totals of an observed quantity (reward, latency, success): count, sum and sum of squares.</summary>
/// <param name="Count">The number of observations.</param>
/// <param name="Sum">The sum of the observations.</param>
/// <param name="SumOfSquares">The sum of the squared observations.</param>
public readonly record struct RoutingStatistic(long Count, double Sum, double SumOfSquares)
{
    /// <summary>Gets the mean, or 0 with no observations.</summary>
    public double Mean => Count == 0 ? 0 : Sum / Count;

    /// <summary>Gets the sample variance, or 0 with fewer than two observations.</summary>
    public double Variance => Count < 2 ? 0 : Math.Max(0, (SumOfSquares - (Sum * Sum / Count)) / (Count - 1));

    /// <summary>Returns these totals with one more observation.</summary>
    /// <param name="value">The observation.</param>
    /// <returns>The updated totals.</returns>
    public RoutingStatistic Add(double value) => new(Count + 1, Sum + value, SumOfSquares + (value * value));
}
