using System.ComponentModel.DataAnnotations;

namespace LlmRouting.Resilience;

/// <summary>Which built-in evaluators judge answers before they reach the caller, and how.</summary>
public sealed class EscalationOptions : IValidatableObject
{
    /// <summary>Gets or sets a value indicating whether empty answers and answers cut off by the token limit are escalated (<see cref="TruncatedAnswerEvaluator"/>).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EscalateTruncated { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether answers opening with a refusal phrase are escalated (<see cref="RefusalEvaluator"/>).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EscalateRefusals { get; set; } = true;

    /// <summary>Gets the phrases that mark a refusal when they appear near the start of an answer (case-insensitive).</summary>
    public IList<string> RefusalPhrases { get; } =
    [
        "I can't help with",
        "I cannot help with",
        "I can't assist with",
        "I cannot assist with",
        "I'm sorry, but I can't",
        "I'm sorry, but I cannot",
        "I am unable to",
        "I'm unable to",
        "I'm not able to",
        "As an AI language model",
    ];

    /// <summary>Gets or sets how many characters from the start of an answer are searched for refusal phrases.</summary>
    /// <value>The default is 200.</value>
    [Range(1, int.MaxValue)]
    public int RefusalSearchLength { get; set; } = 200;

    /// <summary>
    /// Gets or sets a value indicating whether streamed answers are judged too: the stream is held back until it is
    /// complete and judged as <c>updates.ToChatResponse()</c>; an accepted answer's updates are then released unchanged,
    /// a rejected one's are discarded and the stronger target's answer streams live (<see cref="RouteInfo.IsEscalated"/>).
    /// </summary>
    /// <value>The default is <see langword="false"/>: streams reach the caller as they arrive and are not judged.</value>
    /// <remarks>The caller sees nothing until the whole answer has arrived: the time to first token becomes the time to the last.</remarks>
    public bool EvaluateStreams { get; set; }

    /// <summary>
    /// Gets or sets the most characters of text a held-back stream may accumulate (<see cref="EvaluateStreams"/>); past it,
    /// the held updates are released, the rest streams live and the answer is no longer judged. <see langword="null"/>
    /// holds the whole answer.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    [Range(1, int.MaxValue)]
    public int? MaxHeldCharacters { get; set; }

    /// <inheritdoc/>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        for (int i = 0; i < RefusalPhrases.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(RefusalPhrases[i]))
            {
                yield return new ValidationResult("must not be empty.", [FormattableString.Invariant($"{nameof(RefusalPhrases)}[{i}]")]);
            }
        }

        if (MaxHeldCharacters is not null && !EvaluateStreams)
        {
            yield return new ValidationResult("bounds the hold-back of streamed answers: it needs EvaluateStreams = true.", [nameof(MaxHeldCharacters)]);
        }
    }
}
