using System.Globalization;

namespace LlmRouting.Analysis;

/// <summary>What the analyzer read in a request: task, complexity, risk and personal data, plus a numeric feature vector for classifiers.</summary>
/// <remarks>Immutable. Holds counts and kinds only — never any text of the request.</remarks>
public sealed class RequestAnalysis
{
    /// <summary>The length of the feature vector <see cref="WriteFeatures"/> produces.</summary>
    public const int FeatureCount = 26;

    private static readonly string[] Names =
    [
        "complexity", "log_chars", "log_words",
        "task_chat", "task_code", "task_math", "task_reasoning", "task_translation", "task_summarization", "task_extraction", "task_classification", "task_creative",
        "risk_level", "domain_medical", "domain_legal", "domain_financial", "pii",
        "code_blocks", "formula_density", "digit_ratio", "questions", "steps", "constraints", "technical_density", "uppercase_ratio", "non_ascii_ratio",
    ];

    private readonly float[] _taskScores;
    private readonly float[] _features;

    internal RequestAnalysis(TaskType task, float[] taskScores, double complexity, RiskLevel risk, RiskDomains domains, PiiKinds pii, int piiCount, int estimatedWords, float[] features)
    {
        Task = task;
        _taskScores = taskScores;
        Complexity = complexity;
        Risk = risk;
        Domains = domains;
        Pii = pii;
        PiiCount = piiCount;
        Words = estimatedWords;
        _features = features;
    }

    /// <summary>Gets the names of the features, in vector order (stable across versions of this feature set).</summary>
    public static IReadOnlyList<string> FeatureNames => Names;

    /// <summary>Gets the most likely task.</summary>
    public TaskType Task { get; }

    /// <summary>Gets the complexity score in [0, 1]: length, multi-step instructions, constraints, code, formulas and technical vocabulary.</summary>
    public double Complexity { get; }

    /// <summary>Gets the zero-shot premium-need score in (0, 1): how much the request is likely to gain from a premium model (see <see cref="PremiumNeedScore"/>).</summary>
    /// <remarks>Higher means more reason to use the premium target; it orders requests, and thresholds on it are set by calibration.</remarks>
    public double PremiumNeed { get; internal init; }

    /// <summary>Gets the risk level.</summary>
    public RiskLevel Risk { get; }

    /// <summary>Gets the high-stakes domains the request touches.</summary>
    public RiskDomains Domains { get; }

    /// <summary>Gets the kinds of personal data found (anywhere in the conversation, system prompt and tool results included).</summary>
    public PiiKinds Pii { get; }

    /// <summary>Gets how many personal-data items were found.</summary>
    public int PiiCount { get; }

    /// <summary>Gets a value indicating whether personal data was found.</summary>
    public bool HasPii => Pii != PiiKinds.None;

    /// <summary>Gets the number of values in the request that could not be read for personal data (tool values nested too deeply, too large, or not serializable).</summary>
    /// <value>0 when the whole request was read. The data policy treats a request with unread parts as sensitive (fail closed).</value>
    public int UnreadParts { get; internal init; }

    /// <summary>Gets the number of words in the user turns.</summary>
    public int Words { get; }

    /// <summary>Gets the score of a task (keyword and structure evidence; 0 when none).</summary>
    /// <param name="task">The task.</param>
    /// <returns>The score.</returns>
    public double GetTaskScore(TaskType task) => (uint)task < (uint)_taskScores.Length ? _taskScores[(int)task] : 0;

    /// <summary>Writes the numeric feature vector (see <see cref="FeatureNames"/>) into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="FeatureCount"/> floats.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void WriteFeatures(Span<float> destination)
    {
        if (destination.Length < FeatureCount)
        {
            throw new ArgumentException($"The destination must hold at least {FeatureCount} floats.", nameof(destination));
        }

        _features.CopyTo(destination);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Task}, complexity {Complexity:0.00}, risk {Risk}{(Domains != RiskDomains.None ? $" ({Domains})" : string.Empty)}{(HasPii ? $", PII: {Pii}" : string.Empty)}");
}
