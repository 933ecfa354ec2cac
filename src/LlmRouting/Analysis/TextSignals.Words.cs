using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmRouting.Analysis;

/// <summary>
/// The fast paths of <see cref="TextSignals"/>' scan: vectorised skips over characters that start no signal and over
/// the letters of a word, one vocabulary probe per word, a vectorised upper-case count.
/// </summary>
internal sealed partial class TextSignals
{
    /// <summary>ASCII characters the scan does nothing with: white space other than a line feed, and punctuation no signal starts with.</summary>
    private const string Inert = "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\t\u000B\u000C\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F \"#$%&'(),/:<>[\\]_{|}~\u007F";

    private static readonly SearchValues<char> InertChars = SearchValues.Create(Inert);

    /// <summary>The inert characters that are white space: skipping them keeps a line's start.</summary>
    private static readonly SearchValues<char> BlankChars = SearchValues.Create([.. Inert.Where(char.IsWhiteSpace)]);

    private static readonly SearchValues<char> AsciiWordChars = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly ulong InertLow = Mask(0);
    private static readonly ulong InertHigh = Mask(64);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsInert(char c) => c < 64 ? ((InertLow >> c) & 1) != 0 : c < 128 && ((InertHigh >> (c - 64)) & 1) != 0;

    private static ulong Mask(int from)
    {
        ulong mask = 0;
        foreach (char c in Inert)
        {
            if (c >= from && c < from + 64)
            {
                mask |= 1UL << (c - from);
            }
        }

        return mask;
    }

    /// <summary>The end of the word starting at <paramref name="i"/>: letters and digits of any script, and apostrophes followed by a letter.</summary>
    private static int EndOfWord(ReadOnlySpan<char> text, int i, ref int nonAscii, ref int nonAsciiUpper)
    {
        while (true)
        {
            // Most words are short: a few scalar steps first, then a vectorised search for long runs.
            int k = i;
            int stop = Math.Min(text.Length, i + 8);
            while (k < stop && char.IsAsciiLetterOrDigit(text[k]))
            {
                k++;
            }

            if (k == stop && k < text.Length)
            {
                int run = text[k..].IndexOfAnyExcept(AsciiWordChars);
                k = run < 0 ? text.Length : k + run;
            }

            if (k >= text.Length)
            {
                return text.Length;
            }

            char c = text[k];
            if (c == '\'' && k + 1 < text.Length && char.IsLetter(text[k + 1]))
            {
                i = k + 1;
                continue;
            }

            if (c > 127 && char.IsLetterOrDigit(c))
            {
                nonAscii++;
                nonAsciiUpper += char.IsUpper(c) ? 1 : 0;
                i = k + 1;
                continue;
            }

            return k;
        }
    }

    /// <summary>Observes one word (and the phrase it ends, after a phrase head); returns the word when it starts a phrase.</summary>
    private string? Word(ReadOnlySpan<char> word, bool ascii, string? head, Span<char> phrase, float weight)
    {
        int length = Math.Min(word.Length, MaxWord);
        int index;
        if (ascii)
        {
            index = Vocabulary.FindAscii(word);
        }
        else
        {
            Span<char> lowered = stackalloc char[MaxWord];
            word[..length].ToLowerInvariant(lowered);
            index = Vocabulary.FindLowered(lowered[..length]);
        }

        if (index >= 0)
        {
            ref readonly Vocabulary.Entry entry = ref Vocabulary.At(index);
            if (entry.HasSignal)
            {
                Observe(entry.Signal, weight);
            }

            if (entry.Cue >= 0)
            {
                _cues.Count((PremiumNeedCues.Cue)entry.Cue, weight);
            }
        }

        if (head is not null)
        {
            head.CopyTo(phrase);
            phrase[head.Length] = ' ';
            word[..length].ToLowerInvariant(phrase[(head.Length + 1)..]);
            if (Keywords.Lookup.TryGetValue(phrase[..(head.Length + 1 + length)], out Keywords.Signal signal))
            {
                Observe(signal, weight);
            }
        }

        return index >= 0 && Vocabulary.At(index).Head ? Vocabulary.At(index).Word : null;
    }

    /// <summary>Counts 'A'–'Z' in <paramref name="text"/>, a vector at a time.</summary>
    private static int CountAsciiUpper(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<ushort> units = MemoryMarshal.Cast<char, ushort>(text);
        int count = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var first = new Vector<ushort>('A');
            var letters = new Vector<ushort>(26);
            int width = Vector<ushort>.Count;
            while (i <= units.Length - width)
            {
                // Lanes count up to 255 matches before they are summed, far below a lane's limit.
                Vector<ushort> lanes = Vector<ushort>.Zero;
                int blockEnd = Math.Min(units.Length - width, i + (255 * width));
                for (; i <= blockEnd; i += width)
                {
                    lanes -= Vector.LessThan(new Vector<ushort>(units[i..]) - first, letters);
                }

                count += Vector.Sum(lanes);
            }
        }

        for (; i < units.Length; i++)
        {
            count += (uint)(units[i] - 'A') <= 'Z' - 'A' ? 1 : 0;
        }

        return count;
    }
}
