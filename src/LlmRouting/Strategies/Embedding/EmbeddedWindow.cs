using System.Buffers;
using LlmRouting.Embeddings;

namespace LlmRouting.Strategies;

/// <summary>
/// The part of a long user turn the embedding strategy embeds: its beginning and its end, half of the limit each, every cut
/// moved to a word boundary (and never between the two halves of a surrogate pair), joined by a line break.
/// </summary>
/// <remarks>
/// Like an embedding model's input window (512 tokens for BERT-family encoders, 256 word pieces for MiniLM), with both ends
/// kept because a long turn usually carries its instruction before or after the pasted material (Sun et al., 2019, "How to
/// Fine-Tune BERT for Text Classification?": head + tail beat either end alone on long texts).
/// </remarks>
internal static class EmbeddedWindow
{
    /// <summary>How far a cut moves to reach a word boundary (the local embedder's longest word).</summary>
    private const int MaxShift = 64;

    /// <summary>
    /// Returns where the window's head ends and its tail starts in <paramref name="text"/>, or <see langword="false"/> when
    /// the whole text fits <paramref name="limit"/> characters.
    /// </summary>
    public static bool TryCut(ReadOnlySpan<char> text, int limit, out int headEnd, out int tailStart)
    {
        if (text.Length <= limit)
        {
            headEnd = tailStart = text.Length;
            return false;
        }

        int half = limit / 2;
        headEnd = half;
        for (int p = half; p > half - MaxShift; p--)
        {
            if (IsBoundary(text, p))
            {
                headEnd = p;
                break;
            }
        }

        tailStart = text.Length - (limit - half);
        for (int p = tailStart; p < tailStart + MaxShift; p++)
        {
            if (IsBoundary(text, p))
            {
                tailStart = p;
                break;
            }
        }

        // A text without a boundary near a cut is cut where it is, outside surrogate pairs.
        headEnd -= char.IsLowSurrogate(text[headEnd]) && char.IsHighSurrogate(text[headEnd - 1]) ? 1 : 0;
        tailStart += char.IsLowSurrogate(text[tailStart]) && char.IsHighSurrogate(text[tailStart - 1]) ? 1 : 0;
        return true;
    }

    /// <summary>Embeds the window of <paramref name="text"/> (the whole text when it fits <paramref name="limit"/>) with the local embedder, a cut text through a pooled buffer.</summary>
    public static void Embed(LocalEmbeddingGenerator generator, ReadOnlySpan<char> text, int limit, Span<float> destination)
    {
        if (!TryCut(text, limit, out int headEnd, out int tailStart))
        {
            generator.Embed(text, destination);
            return;
        }

        char[] window = ArrayPool<char>.Shared.Rent(headEnd + 1 + text.Length - tailStart);
        try
        {
            int length = Write(text, headEnd, tailStart, window);
            generator.Embed(window.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(window);
        }
    }

    /// <summary>Writes the window (head, a line break, tail) to <paramref name="destination"/>, which holds at least <c>headEnd + 1 + text.Length - tailStart</c> characters; returns its length.</summary>
    public static int Write(ReadOnlySpan<char> text, int headEnd, int tailStart, Span<char> destination)
    {
        text[..headEnd].CopyTo(destination);
        destination[headEnd] = '\n';
        text[tailStart..].CopyTo(destination[(headEnd + 1)..]);
        return headEnd + 1 + text.Length - tailStart;
    }

    /// <summary>Whether a cut before <paramref name="at"/> splits no word: a character on one side is not a letter or digit.</summary>
    private static bool IsBoundary(ReadOnlySpan<char> text, int at) => !char.IsLetterOrDigit(text[at - 1]) || !char.IsLetterOrDigit(text[at]);
}
