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

        if (Ascii.IsValid(text))
        {
            return (text.Length + 3) / 4;
        }

        int ascii = 0;
        int other = 0;
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

        return ((ascii + 3) / 4) + other;
    }
}
