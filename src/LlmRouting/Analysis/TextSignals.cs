using System.Buffers;
using System.Globalization;
using System.Net;
using LlmRouting.Caching;

namespace LlmRouting.Analysis;

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

    /// <summary>Looks around an '@' (bounded) for local-part@domain.tld; letters of any script count (internationalised addresses).</summary>
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
            if (IsDomainChar(d))
            {
                labelLength++;
            }
            else if (d == '.' && labelLength > 0 && k2 + 1 < text.Length && IsDomainChar(text[k2 + 1]) && text[k2 + 1] != '-')
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

        static bool IsLocalChar(char ch) => char.IsLetterOrDigit(ch) || ch is '.' or '_' or '%' or '+' or '-' or '\'' || IsMark(ch);

        static bool IsDomainChar(char ch) => char.IsLetterOrDigit(ch) || ch == '-' || IsMark(ch);

        static bool IsMark(char ch) => ch > 127 && char.GetUnicodeCategory(ch) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
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

                if (ch is not '+' and not '(' and not ')' && count > groupStart && groupCount < groups.Length)
                {
                    groups[groupCount++] = (byte)Math.Min(255, count - groupStart);
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
        int last = count - groupStart;
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
        else if (!plus && IsCard(digits[..Math.Min(count, digits.Length)], groups[..groupCount], last, separators))
        {
            Found(PiiKinds.CreditCard);
        }
        else if (count is >= 10 and <= 15 && (plus || separators) && (dots == 0 || IsDottedPhone(groups[..groupCount], last, dots)))
        {
            Found(PiiKinds.Phone);
        }

        return Math.Max(end, start + 1);
    }

    /// <summary>
    /// A payment card: 13–19 digits with a plausible major industry identifier (2–6) that pass the Luhn check, either
    /// unseparated or in groups of 2–8 digits; the card may be followed in the same run by its expiry and security code
    /// ("4111 1111 1111 1111 12/28 123"), so every prefix ending at a group boundary is tried.
    /// </summary>
    private static bool IsCard(ReadOnlySpan<byte> digits, ReadOnlySpan<byte> groups, int last, bool separators)
    {
        if (digits.Length < 13 || digits[0] is < 2 or > 6)
        {
            return false;
        }

        if (!separators)
        {
            return digits.Length <= 19 && Luhn(digits);
        }

        int total = 0;
        int first = groups.Length > 0 ? groups[0] : last;
        bool uniform = true;
        for (int g = 0; g <= groups.Length; g++)
        {
            int size = g < groups.Length ? groups[g] : last;
            uniform &= size == first;
            total += size;
            if (total > 19 || total > digits.Length)
            {
                return false;
            }

            // A single long group (the card) may be followed by short groups (expiry, code); inside the card, groups of 2–8.
            bool singleGroup = g == 0;
            if (!singleGroup && size is < 2 or > 8)
            {
                return false;
            }

            // The card's own last group has 3 digits or more ("… 1111 12" is a card and a stray pair), unless every group is alike ("41 11 11 …").
            if (total >= 13 && (size >= 3 || uniform) && Luhn(digits[..total]) && IsCardTail(groups[Math.Min(g + 1, groups.Length)..], g < groups.Length ? last : -1))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What may follow a card in the same run: nothing, a security code (3–4 digits), an expiry (MM/YY, MM/YYYY), or an expiry then a code.</summary>
    private static bool IsCardTail(ReadOnlySpan<byte> groups, int last)
    {
        if (last < 0)
        {
            return true;
        }

        Span<int> tail = stackalloc int[Math.Min(groups.Length + 1, 4)];
        if (groups.Length + 1 > tail.Length)
        {
            return false;
        }

        for (int k = 0; k < groups.Length; k++)
        {
            tail[k] = groups[k];
        }

        tail[groups.Length] = last;
        return tail switch
        {
            [3] or [4] or [2, 2] or [2, 4] or [2, 2, 3] or [2, 2, 4] or [2, 4, 3] or [2, 4, 4] => true,
            _ => false,
        };
    }

    /// <summary>A phone written with dots ("555.123.4567", "+33.1.23.45.67.89"): at least two dots, groups of 1–4 digits.</summary>
    private static bool IsDottedPhone(ReadOnlySpan<byte> groups, int last, int dots)
    {
        if (dots < 2 || last is < 2 or > 4)
        {
            return false;
        }

        foreach (byte size in groups)
        {
            if (size is < 1 or > 4)
            {
                return false;
            }
        }

        return true;
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
        // ddd-dd-dddd or ddd dd dddd (one separator kind); area 000, 666 and 9xx are never issued.
        if (run.Length != 11 || run[3] is not ('-' or ' ') || run[6] != run[3])
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

    /// <summary>An IBAN: two letters, two check digits, 11–30 alphanumerics (any case; spaces or dashes allowed between them), mod 97 = 1.</summary>
    private void CheckIban(ReadOnlySpan<char> text, int start)
    {
        if (start + 4 > text.Length || !char.IsAsciiLetter(text[start + 1]) || !char.IsAsciiDigit(text[start + 2]) || !char.IsAsciiDigit(text[start + 3]))
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
            else if (ch is not (' ' or '-') || k + 1 >= text.Length || !char.IsAsciiLetterOrDigit(text[k + 1]))
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
