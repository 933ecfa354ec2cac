using System.ComponentModel.DataAnnotations;
using System.Globalization;
using LlmRouting.Configuration;
using LlmRouting.Costs;

namespace LlmRouting.Strategies;

/// <summary>How the cost-aware strategy predicts quality and difficulty, estimates cost, and applies budgets; validated when the router is built (and by the strategy's constructor), each failure naming its field.</summary>
public sealed class CostAwareOptions : IValidatableObject
{
    /// <summary>Gets the predicted quality of each tier, in [0, 1] (the default tier table).</summary>
    /// <value>The defaults are Economy 0.55, Standard 0.75, Premium 0.92.</value>
    public IDictionary<QualityTier, double> TierQuality { get; } = new Dictionary<QualityTier, double>
    {
        [QualityTier.Economy] = 0.55,
        [QualityTier.Standard] = 0.75,
        [QualityTier.Premium] = 0.92,
    };

    /// <summary>Gets per-target quality overrides, by target name.</summary>
    public IDictionary<string, double> TargetQuality { get; } = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how hard a request is, in [0, 1]; a target must predict at least this quality (plus <see cref="Margin"/>).</summary>
    /// <value>The default is <see cref="CostAwareStrategy.DefaultDifficulty"/>: the zero-shot premium-need score, raised for risky requests.</value>
    public Func<RoutingRequest, double>? Difficulty { get; set; }

    /// <summary>Gets or sets the safety margin added to the difficulty.</summary>
    /// <value>The default is 0.</value>
    [Range(-1.0, 1.0)]
    public double Margin { get; set; }

    /// <summary>Gets or sets the expected answer length used to estimate cost (capped by the request's <c>MaxOutputTokens</c>); budgets reserve it for requests that set no <c>MaxOutputTokens</c>.</summary>
    /// <value>The default is 500.</value>
    [NotNegative]
    public int ExpectedOutputTokens { get; set; } = 500;

    /// <summary>Gets or sets how long a budget reservation holds its estimate if it is never settled or released (its instance crashed, a stream was never disposed).</summary>
    /// <value>The default is 10 minutes. It should exceed the longest request; a reservation that outlives it is still settled with its actual cost.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", MinimumIsExclusive = true)]
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the difficulty below which premium-tier targets are not chosen (premium-share mode); compute it with <see cref="CostAwareStrategy.CalibratePremiumThreshold"/>.</summary>
    /// <value>The default is <see langword="null"/>: no cap.</value>
    [Range(0.0, 1.0)]
    public double? PremiumThreshold { get; set; }

    /// <summary>Gets the budgets; each one whose scope key is present on a request applies.</summary>
    public IList<BudgetOptions> Budgets { get; } = [];

    /// <summary>What a budget reserves for <paramref name="request"/> at <paramref name="profile"/>'s prices: its estimated input plus its <c>MaxOutputTokens</c>, or <see cref="ExpectedOutputTokens"/> when unset.</summary>
    internal decimal ReservationEstimate(RoutingRequest request, TargetProfile profile)
    {
        int output = request.MaxOutputTokens is { } max ? Math.Max(max, 0) : ExpectedOutputTokens;
        return RoutingCost.Compute(request.EstimatedInputTokens, output, 0, profile);
    }

    /// <inheritdoc/>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        foreach ((QualityTier tier, double quality) in TierQuality)
        {
            if (!(quality is >= 0 and <= 1))
            {
                yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"must be from 0 to 1 (was {quality})."), [$"{nameof(TierQuality)}[{tier}]"]);
            }
        }

        foreach ((string target, double quality) in TargetQuality)
        {
            if (!(quality is >= 0 and <= 1))
            {
                yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"must be from 0 to 1 (was {quality})."), [$"{nameof(TargetQuality)}['{target}']"]);
            }
        }
    }
}
