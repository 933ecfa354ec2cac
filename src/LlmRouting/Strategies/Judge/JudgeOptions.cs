using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;
using LlmRouting.Filtering;

namespace LlmRouting.Strategies;

/// <summary>Configures the LLM-as-judge strategy; bound from <c>LlmRouting:Judge</c>, validated when the router is built (and by the strategy's constructor), each failure naming its field.</summary>
public sealed class JudgeOptions : IValidatableObject
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "LlmRouting:Judge";

    /// <summary>Gets or sets the configured target whose client judges (its prices cost the judge call).</summary>
    /// <value>The default is <see langword="null"/>: a client must be given in code.</value>
    /// <remarks>The judge is only asked when this target is a candidate for the request, so a data policy that keeps a request off it also keeps the request away from the judge.</remarks>
    public string? Target { get; set; }

    /// <summary>Gets the targets the judge chooses between, with a one-line description of what each is good at.</summary>
    /// <value>The default is empty: the judge chooses a quality tier (economy, standard, premium) and the cheapest candidate of that tier serves.</value>
    public IDictionary<string, string> Targets { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how long the judge may take; past it the strategy abstains and the next strategy decides.</summary>
    /// <value>The default is 2 seconds.</value>
    [Positive]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how many characters of the latest user turn the judge sees (the rest is cut, to bound its cost).</summary>
    /// <value>The default is 2000.</value>
    [Range(1, int.MaxValue)]
    public int MaxPromptChars { get; set; } = 2000;

    /// <summary>Gets or sets the judge's output token limit (the answer is one word).</summary>
    /// <value>The default is 16.</value>
    [Range(1, int.MaxValue)]
    public int MaxOutputTokens { get; set; } = 16;

    /// <summary>Gets or sets the output length assumed when picking the cheapest target of the chosen tier.</summary>
    /// <value>The default is 500 tokens.</value>
    [NotNegative]
    public int ExpectedOutputTokens { get; set; } = 500;

    /// <summary>Gets or sets a value indicating whether sensitive requests (by the <see cref="SensitivityPolicy"/>: personal data, the configured sensitive tags and risk domains) are kept from the judge (it abstains) unless its target carries an allowed tag.</summary>
    /// <value>The default is <see langword="true"/>. <see langword="false"/> declares the judge an allowed destination for sensitive text (e.g. a model on your premises).</value>
    public bool SkipSensitive { get; set; } = true;

    /// <summary>Gets or sets instructions that replace the built-in system prompt (the answer format line is always appended).</summary>
    /// <value>The default is <see langword="null"/>: the built-in prompt.</value>
    public string? Instructions { get; set; }

    /// <inheritdoc/>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Target is not null && string.IsNullOrWhiteSpace(Target))
        {
            yield return new ValidationResult("must not be empty.", [nameof(Target)]);
        }

        foreach (string name in Targets.Keys)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            {
                yield return new ValidationResult("must be a target name without spaces.", [$"{nameof(Targets)}['{name}']"]);
            }
        }
    }
}
