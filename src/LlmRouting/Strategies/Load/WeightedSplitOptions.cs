using System.ComponentModel.DataAnnotations;

namespace LlmRouting.Strategies;

/// <summary>A weighted split of traffic between targets (A/B tests, canaries).</summary>
public sealed class WeightedSplitOptions : IValidatableObject
{
    /// <summary>Gets the weights by target name, e.g. <c>{ "stable": 95, "canary": 5 }</c>; relative, not necessarily summing to 100.</summary>
    public IDictionary<string, double> Weights { get; } = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets a metadata key (e.g. <c>user</c>) that makes the split sticky: the same key always lands on the same target.</summary>
    /// <value>The default is <see langword="null"/>: each request is drawn at random.</value>
    public string? StickyKey { get; set; }

    /// <summary>Gets or sets the random source; it is used from many threads, so it must be thread-safe (the default, <see cref="Random.Shared"/>, is; a seeded <c>new Random(42)</c> is only safe in single-threaded tests).</summary>
    public Random? Random { get; set; }

    /// <inheritdoc/>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Weights.Count == 0)
        {
            yield return new ValidationResult("must name at least one target.", [nameof(Weights)]);
            yield break;
        }

        foreach ((string target, double weight) in Weights)
        {
            if (!(weight >= 0) || double.IsInfinity(weight))
            {
                yield return new ValidationResult(FormattableString.Invariant($"must be a finite, non-negative number (was {weight})."), [$"{nameof(Weights)}['{target}']"]);
            }
        }

        if (Weights.Values.Sum() <= 0)
        {
            yield return new ValidationResult("must have a positive total.", [nameof(Weights)]);
        }
    }
}
