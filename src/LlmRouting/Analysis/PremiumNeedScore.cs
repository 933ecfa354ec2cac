namespace LlmRouting.Analysis;

/// <summary>
/// The zero-shot "premium need" score: how much a request is likely to gain from the premium model, from signals that
/// do not depend on its topic. The library's default wherever it needs difficulty without labels.
/// </summary>
/// <remarks>
/// <para>
/// One logistic function of a handful of counts the analyzer already makes in its single pass over the text:
/// <c>score = σ(1.2·ln(1 + chars) + 0.11·min(sentences, 40) + 3·(cue words)/√words + 1·numbers + 1·code + 1·depth − 9)</c>.
/// Every weight is non-negative (more of a cue never lowers the score), and the cue words are topic-free function
/// words: negation and exceptions (<em>not, except, least</em>), conditions (<em>if, suppose, given</em>), comparison
/// (<em>most, best, likely</em>), quantities (<em>how many, each, per, than</em>) and reasoning connectives
/// (<em>why, because, therefore</em>). <c>code</c> is the analyzer's code term (fences or code-shaped lines, in [0, 1]),
/// <c>depth</c> the conversation depth ((messages − 1) / 10, at most 1), and <c>numbers</c> the open quantitative term
/// ln(1 + min(numbers, 20)) of a request that offers no answer options (fewer than two lines starting with an option
/// label such as <c>A.</c> or <c>(b)</c>; 0 when it offers them): an open question that computes with quantities has
/// to produce the exact value, where a choice bounds the answer.
/// </para>
/// <para>
/// Form and weights were chosen on RouteLLM's MMLU outcomes (GPT-4 vs Mixtral) with validation folds of whole
/// subjects, judged by the worst fold, so that they describe how a question is asked rather than what it is about;
/// the figures and the reasoning behind each weight are in docs/evaluation.md. The centre (−9) puts an average MMLU
/// question at about 0.4 and a greeting near 0: the score orders requests; thresholds are set by calibration.
/// </para>
/// </remarks>
public static class PremiumNeedScore
{
    /// <summary>The weight of ln(1 + characters of the user turns).</summary>
    public const double LengthWeight = 1.2;

    /// <summary>The weight of each sentence (up to <see cref="MaxSentences"/>).</summary>
    public const double SentenceWeight = 0.11;

    /// <summary>The number of sentences beyond which more sentences add nothing.</summary>
    public const double MaxSentences = 40;

    /// <summary>The weight of the cue-word density (cue words per √words).</summary>
    public const double CueWeight = 3.0;

    /// <summary>The weight of the analyzer's code term (in [0, 1]).</summary>
    public const double CodeWeight = 1.0;

    /// <summary>The weight of the conversation depth term ((messages − 1) / 10, at most 1).</summary>
    public const double DepthWeight = 1.0;

    /// <summary>The weight of the open quantitative term: ln(1 + min(numbers, <see cref="MaxNumbers"/>)) when the request offers no answer options.</summary>
    public const double NumberWeight = 1.0;

    /// <summary>The number of numbers beyond which more numbers add nothing.</summary>
    public const double MaxNumbers = 20;

    /// <summary>The number of answer-option lines from which a request counts as a choice (its numbers then add nothing).</summary>
    public const double MinChoiceLines = 2;

    /// <summary>The centre of the logistic function.</summary>
    public const double Centre = 9.0;

    /// <summary>Computes the score of a request without numbers from the analyzer's counts (see the remarks of <see cref="PremiumNeedScore"/>).</summary>
    /// <param name="chars">Characters of the user turns.</param>
    /// <param name="words">Words of the user turns.</param>
    /// <param name="sentences">Sentence ends (weighted: earlier turns count less).</param>
    /// <param name="cueWords">Cue words of the five families (weighted).</param>
    /// <param name="codeTerm">The analyzer's code term, in [0, 1].</param>
    /// <param name="messageCount">The number of messages in the conversation.</param>
    /// <returns>The score, in (0, 1).</returns>
    public static double Compute(double chars, double words, double sentences, double cueWords, double codeTerm, int messageCount) =>
        Compute(chars, words, sentences, cueWords, numbers: 0, choiceLines: 0, codeTerm, messageCount);

    /// <summary>Computes the score from the analyzer's counts (see the remarks of <see cref="PremiumNeedScore"/>).</summary>
    /// <param name="chars">Characters of the user turns.</param>
    /// <param name="words">Words of the user turns.</param>
    /// <param name="sentences">Sentence ends (weighted: earlier turns count less).</param>
    /// <param name="cueWords">Cue words of the five families (weighted).</param>
    /// <param name="numbers">Numbers in the user turns (weighted).</param>
    /// <param name="choiceLines">Lines that offer an answer option (weighted); from <see cref="MinChoiceLines"/> on, the numbers add nothing.</param>
    /// <param name="codeTerm">The analyzer's code term, in [0, 1].</param>
    /// <param name="messageCount">The number of messages in the conversation.</param>
    /// <returns>The score, in (0, 1).</returns>
    public static double Compute(double chars, double words, double sentences, double cueWords, double numbers, double choiceLines, double codeTerm, int messageCount)
    {
        double depth = Math.Clamp((messageCount - 1) / 10.0, 0, 1);
        double open = choiceLines >= MinChoiceLines ? 0 : Math.Log(1 + Math.Clamp(numbers, 0, MaxNumbers));
        double z = (LengthWeight * Math.Log(1 + Math.Max(0, chars)))
            + (SentenceWeight * Math.Clamp(sentences, 0, MaxSentences))
            + (CueWeight * Math.Max(0, cueWords) / Math.Sqrt(Math.Max(1, words)))
            + (NumberWeight * open)
            + (CodeWeight * Math.Clamp(codeTerm, 0, 1))
            + (DepthWeight * depth)
            - Centre;
        return 1 / (1 + Math.Exp(-z));
    }

    internal static double Compute(TextSignals signals, double codeTerm, int messageCount)
    {
        ref readonly PremiumNeedCues cues = ref signals.Cues;
        double cueWords = cues.Negation + cues.Condition + cues.Comparison + cues.Quantity + cues.Reasoning;
        return Compute(signals.Chars, signals.Words, cues.Sentences, cueWords, cues.Numbers, cues.ChoiceLines, codeTerm, messageCount);
    }
}
