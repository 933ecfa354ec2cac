// The analyzer's text scan as it was before the vectorised rewrite (issue 17), kept verbatim as the oracle that
// AnalyzerEquivalenceTests compare the shipped TextSignals against. Do not optimise: it is the reference.
using System.Buffers;
using System.Globalization;
using System.Net;
using LlmRouting.Analysis;

namespace LlmRouting.Tests.Analysis.Reference;

/// <summary>Everything the analyzer counts in one pass over a text. A mutable accumulator, local to one analysis.</summary>
internal sealed partial class ReferenceTextSignals
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
        Span<char> word = stackalloc char[MaxWord];
        Span<char> previous = stackalloc char[MaxWord];
        Span<char> phrase = stackalloc char[(MaxWord * 2) + 1];
        int previousLength = 0;
        bool previousIsHead = false;
        bool lineStart = true;

        if (!piiOnly)
        {
            Chars += text.Length;
            CountChoiceLine(text, 0, weight);
        }

        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];

            if (c == '\n')
            {
                if (!piiOnly && i > 0 && text[i - 1] is ';' or '{' or '}')
                {
                    CodeLines++;
                }

                if (!piiOnly)
                {
                    CountChoiceLine(text, i + 1, weight);
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
                int end = ScanNumber(text, i);
                if (!piiOnly)
                {
                    for (int k = i; k < end; k++)
                    {
                        Digits += char.IsAsciiDigit(text[k]) ? 1 : 0;
                    }

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
                previousLength = 0;
                previousIsHead = false;
                i = end;
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                if (tokenStart && char.IsAsciiLetter(c))
                {
                    CheckIban(text, i);
                }

                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || (text[i] == '\'' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
                {
                    char w = text[i];
                    if (!piiOnly)
                    {
                        Uppercase += char.IsUpper(w) ? 1 : 0;
                        NonAscii += w > 127 ? 1 : 0;
                    }

                    i++;
                }

                if (!piiOnly)
                {
                    Words++;
                    int length = Math.Min(i - start, MaxWord);
                    text.Slice(start, length).ToLowerInvariant(word);
                    Observe(word[..length], weight);
                    _cues.Word(word[..length], weight);
                    if (previousIsHead)
                    {
                        previous[..previousLength].CopyTo(phrase);
                        phrase[previousLength] = ' ';
                        word[..length].CopyTo(phrase[(previousLength + 1)..]);
                        Observe(phrase[..(previousLength + 1 + length)], weight);
                    }

                    word[..length].CopyTo(previous);
                    previousLength = length;
                    previousIsHead = Keywords.PhraseHeadLookup.Contains(word[..length]);
                }

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
                    case '.' or ',' or ';' or ':' or '!' or '(' or ')':
                        if (c is '.' or ';' or '!')
                        {
                            previousLength = 0;
                            previousIsHead = false;
                        }

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

    /// <summary>Counts the line at <paramref name="start"/> as an answer option, spelled out character by character.</summary>
    private void CountChoiceLine(ReadOnlySpan<char> text, int start, float weight)
    {
        ReadOnlySpan<char> line = text[start..];
        int newline = line.IndexOf('\n');
        string head = (newline < 0 ? line : line[..newline]).ToString();
        string trimmed = head.TrimStart(' ', '\t');
        if (head.Length - trimmed.Length > 8)
        {
            return;
        }

        if (trimmed.StartsWith('('))
        {
            trimmed = trimmed[1..];
        }

        if (trimmed.Length >= 3 && "ABCDEFGHIJabcdefghij".Contains(trimmed[0], StringComparison.Ordinal) && ".):".Contains(trimmed[1], StringComparison.Ordinal) && trimmed[2] is ' ' or '\t')
        {
            _cues.ChoiceLine(weight);
        }
    }

    private void Observe(ReadOnlySpan<char> token, float weight)
    {
        if (!Keywords.Lookup.TryGetValue(token, out Keywords.Signal signal))
        {
            return;
        }

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
