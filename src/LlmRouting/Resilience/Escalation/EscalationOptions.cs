namespace LlmRouting;

/// <summary>Which built-in evaluators judge answers before they reach the caller, and how.</summary>
public sealed class EscalationOptions
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
    public int RefusalSearchLength { get; set; } = 200;
}
