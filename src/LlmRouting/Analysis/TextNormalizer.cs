using System.Buffers;
using System.Globalization;
using System.Text;

namespace LlmRouting.Analysis;

/// <summary>
/// Brings text into the form personal-data matching expects: invisible format characters (zero-width spaces and
/// joiners, the word joiner, the byte-order mark, soft hyphens, bidirectional marks) removed, compatibility forms folded
/// (NFKC: full-width digits and <c>＠</c>, no-break and figure spaces, ligatures), Unicode dashes and minus signs read as
/// <c>-</c>, lone surrogates replaced.
/// </summary>
/// <remarks>
/// ASCII text — almost every prompt — is returned as it is after one vectorised check, without a copy. Other text is
/// copied once into a pooled buffer (linear, no allocation proportional to the text beyond the pool).
/// </remarks>
internal static class TextNormalizer
{
    /// <summary>Returns the normalized text in a rented buffer, or <see langword="null"/> when <paramref name="text"/> needs no change.</summary>
    /// <param name="text">The text.</param>
    /// <param name="length">The length of the normalized text in the returned buffer.</param>
    /// <returns>A buffer from <see cref="ArrayPool{T}.Shared"/> the caller returns, or <see langword="null"/>.</returns>
    public static char[]? Normalize(ReadOnlySpan<char> text, out int length)
    {
        length = text.Length;
        if (!text.ContainsAnyExceptInRange('\0', '\u007F'))
        {
            return null;
        }

        // Pass 1: drop format characters, fix lone surrogates, map dashes; notes whether anything changed.
        char[] cleaned = ArrayPool<char>.Shared.Rent(text.Length);
        int n = 0;
        bool changed = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                cleaned[n++] = c;
                continue;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    cleaned[n++] = c;
                    cleaned[n++] = text[++i];
                    continue;
                }

                cleaned[n++] = '\uFFFD';
                changed = true;
                continue;
            }

            if (char.IsLowSurrogate(c))
            {
                cleaned[n++] = '\uFFFD';
                changed = true;
                continue;
            }

            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                changed = true;
                continue;
            }

            if (c is >= '\u2010' and <= '\u2015' or '\u2212' or '\uFE58' or '\uFE63' or '\uFF0D')
            {
                cleaned[n++] = '-';
                changed = true;
                continue;
            }

            cleaned[n++] = c;
        }

        ReadOnlySpan<char> clean = cleaned.AsSpan(0, n);
        if (clean.IsNormalized(NormalizationForm.FormKC))
        {
            if (!changed)
            {
                ArrayPool<char>.Shared.Return(cleaned);
                return null;
            }

            length = n;
            return cleaned;
        }

        int normalizedLength = clean.GetNormalizedLength(NormalizationForm.FormKC);
        char[] normalized = ArrayPool<char>.Shared.Rent(Math.Max(1, normalizedLength));
        if (!clean.TryNormalize(normalized, out length, NormalizationForm.FormKC))
        {
            // Not reachable with the length computed above; keep the cleaned text rather than fail the analysis.
            ArrayPool<char>.Shared.Return(normalized);
            length = n;
            return cleaned;
        }

        ArrayPool<char>.Shared.Return(cleaned);

        // NFKC keeps the Unicode hyphens it produces (U+2011 → U+2010): read them as '-' too.
        Span<char> result = normalized.AsSpan(0, length);
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] is >= '\u2010' and <= '\u2015' or '\u2212')
            {
                result[i] = '-';
            }
        }

        return normalized;
    }
}
