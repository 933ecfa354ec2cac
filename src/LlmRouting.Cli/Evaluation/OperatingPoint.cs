namespace LlmRouting.Cli.Evaluation;

/// <summary>Where a configured router lands on the cost–quality plane: what it actually routed, with its quality and cost.</summary>
/// <param name="PremiumShare">The share of prompts served by the target mapped to the strong column.</param>
/// <param name="Quality">The mean outcome of the answers the router's choices gave.</param>
/// <param name="Pgr">The performance gap recovered at that quality.</param>
/// <param name="Cost">The total cost of the routed calls at the configured prices.</param>
/// <param name="BaselineCost">The cost of sending every prompt to the baseline target.</param>
/// <param name="Baseline">The baseline target (the configured <c>Baseline</c>, else the target mapped to the strong column).</param>
/// <param name="TargetShares">The share of prompts each target served.</param>
/// <param name="Strategies">How many prompts each strategy decided (<c>default</c>: no strategy decided).</param>
/// <param name="DecidingStage">The strategy that decided most prompts, if any did.</param>
/// <param name="Threshold">The deciding stage's premium threshold, when it has one.</param>
internal sealed record OperatingPoint(
    double PremiumShare,
    double Quality,
    double Pgr,
    decimal Cost,
    decimal BaselineCost,
    string Baseline,
    IReadOnlyDictionary<string, double> TargetShares,
    IReadOnlyDictionary<string, int> Strategies,
    string? DecidingStage,
    double? Threshold)
{
    /// <summary>Gets the share of the baseline's cost saved (0 when the baseline costs nothing).</summary>
    public double Savings => BaselineCost == 0 ? 0 : (double)((BaselineCost - Cost) / BaselineCost);
}
