using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>Consumes the word starting at <paramref name="i"/> (an IBAN check at its start, its counts, its vocabulary and phrase signals); returns its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ScanWord(ReadOnlySpan<char> text, int i, bool tokenStart, bool piiOnly, ref int head, float weight)
    {
        if (tokenStart && char.IsAsciiLetter(text[i]) && MayContinueIban(text, i))
        {
            CheckIban(text, i);
        }

        int start = i;
        int nonAscii = 0;
        int nonAsciiUpper = 0;
        i = EndOfWord(text, i, ref nonAscii, ref nonAsciiUpper);
        if (!piiOnly)
        {
            Words++;
            NonAscii += nonAscii;
            Uppercase += nonAsciiUpper;
            head = Word(text[start..i], nonAscii == 0, head, weight);
        }

        return i;
    }

    /// <summary>
    /// Consumes the run of words separated by single spaces that starts with the word at <paramref name="i"/> (an ASCII
    /// letter), each as <see cref="ScanWord"/> does; returns the index after the run's last word, past one space that follows it.
    /// </summary>
    /// <remarks>
    /// Prose is mostly such runs. The run keeps its state in registers and adds its counts once; the ends of its words come
    /// from a bit per character for 64 characters at a time (<see cref="AsciiWordBits"/>) instead of a vector search per word,
    /// whenever the bits decide where the word ends (it ends inside the 64 characters, at a character that is neither an
    /// apostrophe nor outside ASCII); otherwise <see cref="EndOfWord"/> decides.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ScanWords(ReadOnlySpan<char> text, int i, bool tokenStart, ref int head, float weight)
    {
        long words = 0, nonAsciiLetters = 0, nonAsciiUpper = 0;
        int phraseHead = head;
        int window = int.MinValue / 2; // where the 64 characters of wordBits start
        ulong wordBits = 0;
        while (true)
        {
            if (tokenStart && MayContinueIban(text, i))
            {
                CheckIban(text, i);
            }

            int start = i;
            int nonAscii = 0;
            int upper = 0;
            int offset = i - window;
            if ((uint)offset >= 64 && Vector256.IsHardwareAccelerated && i + 64 <= text.Length)
            {
                window = i;
                wordBits = AsciiWordBits(text.Slice(i, 64));
                offset = 0;
            }

            int end = (uint)offset < 64 ? offset + BitOperations.TrailingZeroCount(~(wordBits >> offset)) : 64;
            if (end < 64 && text[window + end] is not '\'' and <= '\u007F')
            {
                i = window + end;
            }
            else
            {
                i = EndOfWord(text, i, ref nonAscii, ref upper);
            }

            words++;
            nonAsciiLetters += nonAscii;
            nonAsciiUpper += upper;
            phraseHead = Word(text[start..i], nonAscii == 0, phraseHead, weight);
            if (i + 1 >= text.Length || text[i] != ' ')
            {
                break;
            }

            i++;
            if (!char.IsAsciiLetter(text[i]))
            {
                break;
            }

            tokenStart = true;
        }

        Words += words;
        NonAscii += nonAsciiLetters;
        Uppercase += nonAsciiUpper;
        head = phraseHead;
        return i;
    }

    /// <summary>
    /// Whether the token at <paramref name="i"/>, which starts with an ASCII letter, goes on as an IBAN does (a second letter,
    /// two digits): the IBAN check is called only then.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MayContinueIban(ReadOnlySpan<char> text, int i) =>
        i + 3 < text.Length && char.IsAsciiLetter(text[i + 1]) && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3]);

    /// <summary>A bit per character of <paramref name="chars"/> (64 of them): set for the ASCII letters and digits.</summary>
    private static ulong AsciiWordBits(ReadOnlySpan<char> chars)
    {
        ref ushort first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(chars));
        ulong bits = 0;
        for (int k = 0; k < 64; k += Vector256<ushort>.Count)
        {
            Vector256<ushort> v = Vector256.LoadUnsafe(ref first, (nuint)k);
            Vector256<ushort> letter = Vector256.LessThanOrEqual((v | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)('z' - 'a')));
            Vector256<ushort> digit = Vector256.LessThanOrEqual(v - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
            bits |= (ulong)(letter | digit).ExtractMostSignificantBits() << k;
        }

        return bits;
    }

    /// <summary>The end of the word starting at <paramref name="i"/>: letters and digits of any script, and apostrophes followed by a letter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EndOfWord(ReadOnlySpan<char> text, int i, ref int nonAscii, ref int nonAsciiUpper)
    {
        while (true)
        {
            int k = i + AsciiWordLength(text[i..]);
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

    /// <summary>The number of ASCII letters and digits <paramref name="text"/> starts with: one 8-character vector for a short word, a vectorised search for a long one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AsciiWordLength(ReadOnlySpan<char> text)
    {
        if (Vector128.IsHardwareAccelerated && text.Length >= Vector128<ushort>.Count)
        {
            Vector128<ushort> v = Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text)));
            Vector128<ushort> letter = Vector128.LessThanOrEqual((v | Vector128.Create((ushort)0x20)) - Vector128.Create((ushort)'a'), Vector128.Create((ushort)('z' - 'a')));
            Vector128<ushort> digit = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)'0'), Vector128.Create((ushort)9));
            uint other = ~(letter | digit).ExtractMostSignificantBits() & 0xFF;
            if (other != 0)
            {
                return BitOperations.TrailingZeroCount(other);
            }

            int rest = text[Vector128<ushort>.Count..].IndexOfAnyExcept(AsciiWordChars);
            return rest < 0 ? text.Length : Vector128<ushort>.Count + rest;
        }

        int n = text.IndexOfAnyExcept(AsciiWordChars);
        return n < 0 ? text.Length : n;
    }

    /// <summary>Observes one word (and the phrase it ends, after a phrase head); returns the word's entry when it starts a phrase, else -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Word(ReadOnlySpan<char> word, bool ascii, int head, float weight)
    {
        if (!ascii)
        {
            return WordOutsideAscii(word, head, weight);
        }

        int index = Vocabulary.FindAscii(word);
        Observe(index, weight);
        if (head >= 0 && Vocabulary.FindPhrase(head, word, lowered: false, out Keywords.Signal signal))
        {
            Observe(signal, weight);
        }

        return index >= 0 && Vocabulary.At(index).Head ? index : -1;
    }

    /// <summary>A word with characters outside ASCII: lower-cased (invariant culture, the first <see cref="MaxWord"/> characters), then looked up.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int WordOutsideAscii(ReadOnlySpan<char> word, int head, float weight)
    {
        WordBuffer buffer = default;
        Span<char> lowered = buffer;
        int length = Math.Min(word.Length, MaxWord);
        word[..length].ToLowerInvariant(lowered);
        int index = Vocabulary.FindLowered(lowered[..length]);
        Observe(index, weight);
        if (head >= 0 && Vocabulary.FindPhrase(head, lowered[..length], lowered: true, out Keywords.Signal signal))
        {
            Observe(signal, weight);
        }

        return index >= 0 && Vocabulary.At(index).Head ? index : -1;
    }

    private void Observe(int index, float weight)
    {
        if (index < 0)
        {
            return;
        }

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

    [InlineArray(MaxWord)]
    private struct WordBuffer
    {
        private char _first;
    }
}
