using System.Buffers;
using System.Globalization;
using System.Net;

namespace LlmRouting.Analysis;

/// <summary>Everything the analyzer counts in one pass over a text. A mutable accumulator, local to one analysis.</summary>
internal sealed partial class TextSignals
{
    public const int TaskCount = 9;
    private const int MaxWord = 32;

    private PremiumNeedCues _cues;

    public float[] TaskScores { get; } = new float[TaskCount];

    public ref readonly PremiumNeedCues Cues => ref _cues;

    public long Chars { get; private set; }

    public long Words { get; private set; }

    public long Digits { get; private set; }

    public long Uppercase { get; private set; }

    public long NonAscii { get; private set; }

    public int Questions { get; private set; }

    public int CodeFences { get; private set; }

    public int CodeLines { get; private set; }

    public int ListItems { get; private set; }

    public int FormulaChars { get; private set; }

    public float Constraints { get; private set; }

    public float Steps { get; private set; }

    public float Technical { get; private set; }

    public float[] DomainHits { get; } = new float[3];

    public PiiKinds Pii { get; private set; }

    public int PiiCount { get; private set; }

    /// <summary>Gets or sets the number of values that could not be read for personal data (too deep, too many, not serializable).</summary>
    public int Unread { get; set; }

    /// <summary>Scans <paramref name="text"/>; <paramref name="weight"/> scales the task and domain signals (earlier turns count less).</summary>
    /// <param name="text">The text.</param>
    /// <param name="weight">The weight of this text's signals.</param>
    /// <param name="piiOnly">Scan only for personal data (system prompts, tool results).</param>
    /// <remarks>The text is normalized first (<see cref="TextNormalizer"/>): zero-width characters and compatibility forms cannot hide personal data.</remarks>
    public void Scan(ReadOnlySpan<char> text, float weight, bool piiOnly = false)
    {
        char[]? normalized = TextNormalizer.Normalize(text, out int length);
        if (normalized is null)
        {
            ScanCore(text, weight, piiOnly);
            return;
        }

        try
        {
            ScanCore(normalized.AsSpan(0, length), weight, piiOnly);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(normalized);
        }
    }

    private void ScanCore(ReadOnlySpan<char> text, float weight, bool piiOnly)
    {
        int head = -1; // the previous word's vocabulary entry, when it is the first word of a two-word phrase
        bool lineStart = true;

        if (!piiOnly)
        {
            Chars += text.Length;

            // Every upper-case letter outside a number run is in a word: counted here in one vectorised pass.
            Uppercase += CountAsciiUpper(text);
            _cues.Line(text, 0, weight);
        }

        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];

            // Most characters are in words: an ASCII letter goes straight to the word (a single space after it is skipped too).
            if (char.IsAsciiLetter(c))
            {
                bool wordStart = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
                if (piiOnly)
                {
                    i = ScanWord(text, i, wordStart, piiOnly: true, ref head, weight);
                    if (i + 1 < text.Length && text[i] == ' ')
                    {
                        i++;
                    }
                }
                else
                {
                    i = ScanWords(text, i, wordStart, ref head, weight);
                }

                lineStart = false;
                continue;
            }

            // White space and punctuation that start no signal are skipped; a run of them in one vectorised search.
            if (IsInert(c))
            {
                int end = i + 1;
                while (end < text.Length && end - i < 16 && IsInert(text[end]))
                {
                    end++;
                }

                if (end - i == 16 && end < text.Length)
                {
                    int more = text[end..].IndexOfAnyExcept(InertChars);
                    end = more < 0 ? text.Length : end + more;
                }

                if (lineStart && text[i..end].ContainsAnyExcept(BlankChars))
                {
                    lineStart = false;
                }

                i = end;
                continue;
            }

            if (c == '\n')
            {
                if (!piiOnly && i > 0 && text[i - 1] is ';' or '{' or '}')
                {
                    CodeLines++;
                }

                if (!piiOnly)
                {
                    _cues.Line(text, i + 1, weight);
                }

                lineStart = true;
                i++;
                continue;
            }

            if (c == '@')
            {
                CheckEmail(text, i);
                i++;
                continue;
            }

            bool tokenStart = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
            if (tokenStart && (char.IsAsciiDigit(c) || (c == '+' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))))
            {
                int end = ScanNumber(text, i, out int digits);
                if (!piiOnly)
                {
                    Digits += digits;

                    // Hexadecimal letters of an IPv6-like run belong to the number, not to a word.
                    ReadOnlySpan<char> run = text[i..end];
                    if (run.ContainsAnyInRange('A', 'Z'))
                    {
                        Uppercase -= CountAsciiUpper(run);
                    }

                    // A line that starts "1. " or "2) " is a list item: its number is a label, not a quantity.
                    if (lineStart && end + 1 < text.Length && text[end] is '.' or ')' && text[end + 1] is ' ' or '\t')
                    {
                        ListItems++;
                    }
                    else
                    {
                        _cues.Number(weight);
                    }
                }

                lineStart = false;
                head = -1;
                i = end;
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                i = ScanWord(text, i, tokenStart, piiOnly, ref head, weight);
                lineStart = false;
                continue;
            }

            if (!piiOnly)
            {
                if (c is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
                {
                    _cues.SentenceEnd(weight);
                }

                switch (c)
                {
                    case '?':
                        Questions++;
                        break;
                    case '`' when i + 2 < text.Length && text[i + 1] == '`' && text[i + 2] == '`':
                        CodeFences++;
                        i += 2;
                        break;
                    case '=' or '^' or '∑' or '∫' or '√' or '≤' or '≥' or '±' or '÷' or '×':
                        FormulaChars++;
                        break;
                    case '-' or '*' or '•' when lineStart && i + 1 < text.Length && text[i + 1] == ' ':
                        ListItems++;
                        break;
                    case '.' or ';' or '!':
                        head = -1;
                        break;
                }

                if (!char.IsWhiteSpace(c))
                {
                    lineStart = false;
                }
            }

            i++;
        }
    }

    private void Observe(in Keywords.Signal signal, float weight)
    {
        if (signal.Task >= 0)
        {
            TaskScores[signal.Task] += signal.TaskWeight * weight;
        }

        if (signal.Domain != RiskDomains.None)
        {
            for (int d = 0; d < 3; d++)
            {
                if (((int)signal.Domain & (1 << d)) != 0)
                {
                    DomainHits[d] += weight;
                }
            }
        }

        if ((signal.Kind & Keywords.Kind.Constraint) != 0)
        {
            Constraints += weight;
        }

        if ((signal.Kind & Keywords.Kind.Step) != 0)
        {
            Steps += weight;
        }

        if ((signal.Kind & Keywords.Kind.Technical) != 0)
        {
            Technical += weight;
        }
    }
}
