using System.Net;

namespace LlmRouting;

/// <summary>Everything the analyzer counts in one pass over a text. A mutable accumulator, local to one analysis.</summary>
internal sealed class TextSignals
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

    /// <summary>Scans <paramref name="text"/>; <paramref name="weight"/> scales the task and domain signals (earlier turns count less).</summary>
    /// <param name="text">The text.</param>
    /// <param name="weight">The weight of this text's signals.</param>
    /// <param name="piiOnly">Scan only for personal data (system prompts, tool results).</param>
    public void Scan(ReadOnlySpan<char> text, float weight, bool piiOnly = false)
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

                    if (lineStart && end < text.Length && text[end - 1] is '.' or ')')
                    {
                        ListItems++;
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
                if (tokenStart && char.IsAsciiLetterUpper(c))
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

    private void Found(PiiKinds kind)
    {
        Pii |= kind;
        PiiCount++;
    }

    /// <summary>Looks around an '@' (bounded) for local-part@domain.tld.</summary>
    private void CheckEmail(ReadOnlySpan<char> text, int at)
    {
        int local = 0;
        for (int k = at - 1; k >= 0 && at - k <= 64 && IsLocalChar(text[k]); k--)
        {
            local++;
        }

        int dots = 0;
        int labelLength = 0;
        int lastLabel = 0;
        int k2 = at + 1;
        for (; k2 < text.Length && k2 - at <= 255; k2++)
        {
            char d = text[k2];
            if (char.IsAsciiLetterOrDigit(d) || d == '-')
            {
                labelLength++;
            }
            else if (d == '.' && labelLength > 0 && k2 + 1 < text.Length && char.IsAsciiLetterOrDigit(text[k2 + 1]))
            {
                dots++;
                lastLabel = labelLength;
                labelLength = 0;
            }
            else
            {
                break;
            }
        }

        if (local > 0 && dots > 0 && labelLength >= 2 && lastLabel > 0)
        {
            Found(PiiKinds.Email);
        }

        static bool IsLocalChar(char ch) => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '%' or '+' or '-';
    }

    /// <summary>Consumes a run of digits and separators (bounded) and classifies it: card, phone, national id, IP address.</summary>
    private int ScanNumber(ReadOnlySpan<char> text, int start)
    {
        Span<byte> digits = stackalloc byte[24];
        Span<byte> groups = stackalloc byte[8];
        int groupCount = 0;
        int groupStart = 0;
        int count = 0;
        int end = start;
        bool plus = text[start] == '+';
        bool separators = false;
        bool colon = false;
        int dots = 0;
        for (; end < text.Length && end - start < 48; end++)
        {
            char ch = text[end];
            if (char.IsAsciiDigit(ch))
            {
                if (count < digits.Length)
                {
                    digits[count] = (byte)(ch - '0');
                }

                count++;
            }
            else if (ch is ' ' or '-' or '(' or ')' or '.' or '/' || (ch == '+' && end == start))
            {
                // A separator must lead to a digit within two characters ("555) 123", "+44 (20)"); otherwise the run ends.
                if (!DigitWithin(text, end + 1, 2))
                {
                    break;
                }

                if (ch is not '+' and not '(' and not ')' && count > 0 && groupCount < groups.Length)
                {
                    groups[groupCount++] = (byte)(count - groupStart);
                    groupStart = count;
                }

                separators |= ch is not '+';
                dots += ch == '.' ? 1 : 0;
            }
            else if (ch == ':' || (char.IsAsciiHexDigit(ch) && colon))
            {
                colon = true;
            }
            else
            {
                break;
            }
        }

        ReadOnlySpan<char> run = text[start..end];
        if (colon)
        {
            // IPv6 candidates are digit-led here; letter-led ones ("fe80::1") are rare in prompts.
            if (run.Count(':') >= 2 && IPAddress.TryParse(run, out IPAddress? v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                Found(PiiKinds.IpAddress);
            }
        }
        else if (dots == 3 && IsIPv4(run))
        {
            Found(PiiKinds.IpAddress);
        }
        else if (IsSsn(run))
        {
            Found(PiiKinds.NationalId);
        }
        else if (count is >= 13 and <= 19 && Luhn(digits[..count]) && (!separators || IsCardGrouping(groups[..groupCount], count - groupStart)))
        {
            Found(PiiKinds.CreditCard);
        }
        else if (count is >= 10 and <= 15 && (plus || separators) && dots == 0)
        {
            Found(PiiKinds.Phone);
        }

        return Math.Max(end, start + 1);
    }

    private static bool DigitWithin(ReadOnlySpan<char> text, int from, int distance)
    {
        for (int k = from; k < text.Length && k < from + distance; k++)
        {
            if (char.IsAsciiDigit(text[k]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Separated card numbers come in 4-4-4-4 (Visa, Mastercard, Discover), 4-4-4-4-3 (19 digits) or 4-6-5 / 4-6-4 (Amex, Diners).</summary>
    private static bool IsCardGrouping(ReadOnlySpan<byte> groups, int last)
    {
        Span<int> all = stackalloc int[groups.Length + 1];
        for (int k = 0; k < groups.Length; k++)
        {
            all[k] = groups[k];
        }

        all[groups.Length] = last;
        all = all[..(groups.Length + 1)];
        return all switch
        {
            [4, 4, 4, 4] or [4, 4, 4, 4, 3] or [4, 6, 5] or [4, 6, 4] => true,
            _ => false,
        };
    }

    private static bool IsIPv4(ReadOnlySpan<char> run)
    {
        int parts = 0;
        foreach (Range range in run.Split('.'))
        {
            ReadOnlySpan<char> part = run[range];
            if (part.Length is 0 or > 3 || !int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) || value > 255)
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }

    private static bool IsSsn(ReadOnlySpan<char> run)
    {
        // ddd-dd-dddd; area 000, 666 and 9xx are never issued.
        if (run.Length != 11 || run[3] != '-' || run[6] != '-')
        {
            return false;
        }

        for (int k = 0; k < 11; k++)
        {
            if (k is not (3 or 6) && !char.IsAsciiDigit(run[k]))
            {
                return false;
            }
        }

        return run[..3] is not "000" and not "666" && run[0] != '9' && run[4..6] is not "00" && run[7..] is not "0000";
    }

    private static bool Luhn(ReadOnlySpan<byte> digits)
    {
        int sum = 0;
        bool twice = false;
        for (int k = digits.Length - 1; k >= 0; k--)
        {
            int d = digits[k];
            if (twice)
            {
                d *= 2;
                d -= d > 9 ? 9 : 0;
            }

            sum += d;
            twice = !twice;
        }

        return sum % 10 == 0;
    }

    /// <summary>An IBAN: two letters, two check digits, 11–30 alphanumerics (spaces allowed), mod 97 = 1.</summary>
    private void CheckIban(ReadOnlySpan<char> text, int start)
    {
        if (start + 4 > text.Length || !char.IsAsciiLetterUpper(text[start + 1]) || !char.IsAsciiDigit(text[start + 2]) || !char.IsAsciiDigit(text[start + 3]))
        {
            return;
        }

        Span<char> iban = stackalloc char[34];
        Span<bool> boundary = stackalloc bool[35];
        int n = 0;
        for (int k = start; k < text.Length && n < 34 && k - start < 42; k++)
        {
            char ch = text[k];
            if (char.IsAsciiLetterOrDigit(ch))
            {
                iban[n++] = char.ToUpperInvariant(ch);
                boundary[n] = k + 1 >= text.Length || !char.IsAsciiLetterOrDigit(text[k + 1]);
            }
            else if (ch != ' ' || k + 1 >= text.Length || !char.IsAsciiLetterOrDigit(text[k + 1]))
            {
                break;
            }
        }

        // The IBAN may be followed by words ("… 0130 00 please"): try every length that ends at a word boundary, longest first.
        for (int length = n; length >= 15; length--)
        {
            if (boundary[length] && Mod97(iban[..length]) == 1)
            {
                Found(PiiKinds.Iban);
                return;
            }
        }
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters become 10–35, then mod 97.</summary>
    private static int Mod97(ReadOnlySpan<char> iban)
    {
        int remainder = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char ch = iban[(k + 4) % iban.Length];
            if (!char.IsAsciiLetterOrDigit(ch))
            {
                return -1;
            }

            int value = char.IsAsciiDigit(ch) ? ch - '0' : ch - 'A' + 10;
            remainder = value >= 10 ? ((remainder * 100) + value) % 97 : ((remainder * 10) + value) % 97;
        }

        return remainder;
    }
}
