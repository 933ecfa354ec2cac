using System.Globalization;
using System.Net;

namespace LlmRouting.Analysis;

/// <summary>The personal-data detectors of <see cref="TextSignals"/>: e-mail, card, phone, IPv4, SSN and IBAN checks.</summary>
internal sealed partial class TextSignals
{
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
    /// <returns>The end of the run; <paramref name="digitCount"/> is the number of ASCII digits in it.</returns>
    private int ScanNumber(ReadOnlySpan<char> text, int start, out int digitCount)
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

        digitCount = count;
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
