using System.Collections.Frozen;

namespace LlmRouting.Analysis;

/// <summary>
/// The counts the premium-need score reads that the rest of the analyzer does not keep: sentence ends, five small
/// families of function words (negation, conditions, comparison, quantities, reasoning connectives), numbers, and
/// the lines that offer answer options.
/// </summary>
/// <remarks>
/// A mutable struct held by <see cref="TextSignals"/> and fed one lower-cased word at a time; no allocation.
/// The words are deliberately topic-free: they say how a request is asked (what must hold, under which
/// assumption, how much, why), never what it is about.
/// </remarks>
internal struct PremiumNeedCues
{
    /// <summary>The cue words (lower case) and their families.</summary>
    internal static readonly FrozenDictionary<string, Cue> Table = BuildTable();

    private static readonly FrozenDictionary<string, Cue>.AlternateLookup<ReadOnlySpan<char>> Lookup = Table.GetAlternateLookup<ReadOnlySpan<char>>();

    public enum Cue : byte
    {
        Negation,
        Condition,
        Comparison,
        Quantity,
        Reasoning,
    }

    public float Sentences { get; private set; }

    public float Negation { get; private set; }

    public float Condition { get; private set; }

    public float Comparison { get; private set; }

    public float Quantity { get; private set; }

    public float Reasoning { get; private set; }

    /// <summary>Gets the numbers (runs of digits, with their separators) in the text.</summary>
    public float Numbers { get; private set; }

    /// <summary>Gets the lines that start with an answer option's label (<c>A.</c>, <c>b)</c>, <c>(C)</c>, <c>D:</c>; see <see cref="IsChoiceLine"/>).</summary>
    public float ChoiceLines { get; private set; }

    /// <summary>Adds the counts of <paramref name="other"/> (another text's cues).</summary>
    /// <param name="other">The cues to add.</param>
    public void Add(in PremiumNeedCues other)
    {
        Sentences += other.Sentences;
        Negation += other.Negation;
        Condition += other.Condition;
        Comparison += other.Comparison;
        Quantity += other.Quantity;
        Reasoning += other.Reasoning;
        Numbers += other.Numbers;
        ChoiceLines += other.ChoiceLines;
    }

    /// <summary>Counts a sentence end ('.', '!' or '?' followed by white space or the end of the text).</summary>
    /// <param name="weight">The weight of the text (earlier turns count less).</param>
    public void SentenceEnd(float weight) => Sentences += weight;

    /// <summary>Counts a number.</summary>
    /// <param name="weight">The weight of the text.</param>
    public void Number(float weight) => Numbers += weight;

    /// <summary>Counts the line starting at <paramref name="start"/> of <paramref name="text"/> when it offers an answer option (<see cref="IsChoiceLine"/>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="start">The index of the line's first character.</param>
    /// <param name="weight">The weight of the text.</param>
    public void Line(ReadOnlySpan<char> text, int start, float weight)
    {
        if (IsChoiceLine(text, start))
        {
            ChoiceLine(weight);
        }
    }

    /// <summary>Counts a line that offers an answer option.</summary>
    /// <param name="weight">The weight of the text.</param>
    public void ChoiceLine(float weight) => ChoiceLines += weight;

    /// <summary>
    /// Whether the line starting at <paramref name="start"/> begins, after at most eight spaces or tabs, with an answer
    /// option's label: one letter from A to J (either case), optionally in an opening parenthesis, then <c>.</c>, <c>)</c>
    /// or <c>:</c>, then a space or a tab.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="start">The index of the line's first character.</param>
    /// <returns>Whether the line offers an answer option.</returns>
    public static bool IsChoiceLine(ReadOnlySpan<char> text, int start)
    {
        int i = start;
        while (i < text.Length && i - start < 8 && text[i] is ' ' or '\t')
        {
            i++;
        }

        if (i < text.Length && text[i] == '(')
        {
            i++;
        }

        return i + 2 < text.Length
            && (uint)((text[i] | 0x20) - 'a') <= 'j' - 'a'
            && text[i + 1] is '.' or ')' or ':'
            && text[i + 2] is ' ' or '\t';
    }

    /// <summary>Counts <paramref name="word"/> when it is one of the cue words.</summary>
    /// <param name="word">A lower-cased word.</param>
    /// <param name="weight">The weight of the text.</param>
    public void Word(ReadOnlySpan<char> word, float weight)
    {
        if (Lookup.TryGetValue(word, out Cue cue))
        {
            Count(cue, weight);
        }
    }

    /// <summary>Counts one cue word of family <paramref name="cue"/>.</summary>
    /// <param name="cue">The family.</param>
    /// <param name="weight">The weight of the text.</param>
    public void Count(Cue cue, float weight)
    {
        switch (cue)
        {
            case Cue.Negation:
                Negation += weight;
                break;
            case Cue.Condition:
                Condition += weight;
                break;
            case Cue.Comparison:
                Comparison += weight;
                break;
            case Cue.Quantity:
                Quantity += weight;
                break;
            default:
                Reasoning += weight;
                break;
        }
    }

    private static FrozenDictionary<string, Cue> BuildTable()
    {
        var table = new Dictionary<string, Cue>(StringComparer.Ordinal);
        void Add(Cue cue, params string[] words)
        {
            foreach (string w in words)
            {
                table[w] = cue;
            }
        }

        Add(Cue.Negation, "not", "except", "false", "incorrect", "least", "never", "cannot", "nor");
        Add(Cue.Condition, "if", "suppose", "assume", "assuming", "given", "when", "unless", "whether");
        Add(Cue.Comparison, "most", "best", "likely", "strongest", "weakest", "primarily", "main");
        Add(Cue.Quantity, "how", "many", "much", "total", "each", "per", "percent", "more", "less", "than", "times", "twice", "half");
        Add(Cue.Reasoning, "why", "because", "therefore", "thus", "hence", "implies", "explain", "reason", "conclude", "argument", "infer");
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
