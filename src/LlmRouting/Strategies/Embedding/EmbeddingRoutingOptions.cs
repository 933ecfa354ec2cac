using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.AI;
using LlmRouting.Configuration;
using LlmRouting.Embeddings;
using LlmRouting.Filtering;

namespace LlmRouting.Strategies;

/// <summary>The embedding strategy's routes, threshold, top-k and aggregation; validated when the router is built (and by the strategy's constructor), each failure naming its field.</summary>
public sealed class EmbeddingRoutingOptions : IValidatableObject
{
    /// <summary>Gets the routes.</summary>
    public IList<EmbeddingRoute> Routes { get; } = [];

    /// <summary>Gets or sets the least route score to decide; below it the strategy abstains.</summary>
    /// <value>The default is 0.35 (tuned for the built-in local embedder; fit it with <see cref="EmbeddingRoutingStrategy.FitThresholdsAsync"/>).</value>
    [Range(-1.0, 1.0)]
    public double Threshold { get; set; } = 0.35;

    /// <summary>Gets or sets how many best-matching utterances, across all routes, vote.</summary>
    /// <value>The default is 1.</value>
    [Range(1, int.MaxValue)]
    public int TopK { get; set; } = 1;

    /// <summary>Gets or sets how a route's matching utterances combine.</summary>
    /// <value>The default is <see cref="EmbeddingScoreAggregation.Mean"/>.</value>
    [EnumDataType(typeof(EmbeddingScoreAggregation))]
    public EmbeddingScoreAggregation Aggregation { get; set; }

    /// <summary>
    /// Gets or sets the most characters of the latest user turn that are embedded: a longer turn is embedded as its first and
    /// last halves of this many characters (cut at word boundaries, joined by a line break), like an embedding model's input
    /// window. <see langword="null"/> embeds the whole turn, however long.
    /// </summary>
    /// <value>
    /// The default is 2 048 (about 512 tokens, the window of BERT-family encoders): it bounds a decision's cost for long turns
    /// (a 16 KB turn costs what a 2 KB one does) and keeps a remote generator within its input limit. The semantic cache
    /// is not affected: it always embeds the whole turn.
    /// </value>
    [Range(256, int.MaxValue)]
    public int? MaxEmbeddedCharacters { get; set; } = DefaultMaxEmbeddedCharacters;

    /// <summary>The default of <see cref="MaxEmbeddedCharacters"/>.</summary>
    internal const int DefaultMaxEmbeddedCharacters = 2_048;

    /// <summary>Gets or sets the embedding generator; <see langword="null"/> for the one in DI, else the built-in <see cref="LocalEmbeddingGenerator"/>.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Generator { get; set; }

    /// <summary>Gets or sets a value indicating whether the embedding generator may receive the text of sensitive requests (see <see cref="SensitivityPolicy"/>).</summary>
    /// <value>
    /// The default is <see langword="false"/>: a sensitive request is not embedded and the strategy abstains, unless the generator is the
    /// built-in <see cref="LocalEmbeddingGenerator"/> (local, always allowed). Set it to <see langword="true"/> for a generator that runs in-process or on your premises.
    /// </value>
    public bool GeneratorAllowsSensitiveData { get; set; }

    /// <summary>Adds a route.</summary>
    /// <param name="target">The target.</param>
    /// <param name="utterances">Example utterances.</param>
    /// <param name="name">The route name; the default is the target's name.</param>
    /// <param name="threshold">The route's own threshold, if any.</param>
    /// <returns>These options.</returns>
    public EmbeddingRoutingOptions AddRoute(string target, IEnumerable<string> utterances, string? name = null, double? threshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentNullException.ThrowIfNull(utterances);
        var route = new EmbeddingRoute { Name = name ?? target, Target = target, Threshold = threshold };
        foreach (string utterance in utterances)
        {
            route.Utterances.Add(utterance);
        }

        Routes.Add(route);
        return this;
    }

    /// <summary>What is wrong with <paramref name="route"/>: (the field under the route, the message), nothing when it is valid.</summary>
    internal static IEnumerable<(string Field, string Message)> Failures(EmbeddingRoute route)
    {
        if (string.IsNullOrWhiteSpace(route.Name))
        {
            yield return (nameof(EmbeddingRoute.Name), "must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(route.Target))
        {
            yield return (nameof(EmbeddingRoute.Target), "must not be empty.");
        }

        if (route.Utterances.Count == 0 || route.Utterances.Any(string.IsNullOrWhiteSpace))
        {
            yield return (nameof(EmbeddingRoute.Utterances), "must hold at least one utterance, and no blank ones.");
        }

        if (route.Threshold is { } t && !(t is >= -1 and <= 1))
        {
            yield return (nameof(EmbeddingRoute.Threshold), string.Create(CultureInfo.InvariantCulture, $"must be from -1 to 1 (was {t})."));
        }
    }

    /// <inheritdoc/>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        for (int i = 0; i < Routes.Count; i++)
        {
            foreach ((string field, string message) in Failures(Routes[i]))
            {
                yield return new ValidationResult(message, [$"{nameof(Routes)}[{i}]:{field}"]);
            }
        }
    }
}
