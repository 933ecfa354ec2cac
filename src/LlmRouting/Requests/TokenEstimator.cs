using System.Text;

namespace LlmRouting;

/// <summary>Estimates token counts locally, without a tokenizer download.</summary>
/// <remarks>
/// English and code average about four characters per BPE token; scripts outside ASCII (CJK, Cyrillic,
/// Arabic, …) cost about one token per character. The estimate errs high rather than low so that
/// context-window checks stay safe.
/// </remarks>
public static class TokenEstimator
{
    /// <summary>Tokens charged per message for role and framing.</summary>
    public const int PerMessageOverhead = 4;

    /// <summary>Tokens charged per image (a high-detail 512×512 tile plus base cost).</summary>
    public const int PerImage = 765;

    /// <summary>Estimates the number of tokens in <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The estimated token count.</returns>
    public static int Estimate(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        int ascii = 0;
        int other = 0;
        Count(text, ref ascii, ref other);
        return FromCounts(ascii, other);
    }

    /// <summary>Adds <paramref name="text"/>'s ASCII characters and other code points to running counts, for an estimate of text that arrives in pieces.</summary>
    internal static void Count(ReadOnlySpan<char> text, ref int ascii, ref int other)
    {
        if (Ascii.IsValid(text))
        {
            ascii += text.Length;
            return;
        }

        foreach (char c in text)
        {
            if (c < 128)
            {
                ascii++;
            }
            else if (!char.IsLowSurrogate(c))
            {
                other++;
            }
        }
    }

    /// <summary>The estimate for text of <paramref name="ascii"/> ASCII characters and <paramref name="other"/> other code points: about four ASCII characters per token, one token per other code point.</summary>
    internal static int FromCounts(int ascii, int other) => ((ascii + 3) / 4) + other;
}
