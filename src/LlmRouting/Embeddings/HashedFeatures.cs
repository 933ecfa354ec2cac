using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmRouting.Embeddings;

/// <summary>
/// The local embedder's signed feature hashing: for each word (lower-cased, truncated to 64 characters) its own feature,
/// the bigram with the previous word, and — unless it is a stop word — its character trigrams with boundary markers,
/// each added to the bucket its hash picks, with the sign its top bit picks.
/// </summary>
/// <remarks>
/// ASCII text is read in windows of 64 characters that end at word boundaries: one vectorised pass lower-cases and
/// classifies the window (a bit per word character) and hashes every character's trigram (the trigram centred on a
/// character, with '^' or '$' where a neighbour is not a word character, is the trigram the word-by-word walk gives for
/// it); the words are then walked with bit scans. Windows with other characters, and words longer than a window, take
/// the word-by-word path of <see cref="HashedWords"/>. Both add the same values to the same buckets in the same order,
/// so the vector is bit for bit the one the word-by-word walk alone gives (EmbeddingEquivalenceTests).
/// </remarks>
internal static class HashedFeatures
{
    private const float WordWeight = 1.0f;
    private const float StopWordWeight = 0.15f;
    private const float BigramWeight = 0.6f;
    private const float TrigramWeight = 0.35f;
    private const uint TrigramSeed = 0x85EBCA6Bu;
    private const int Window = 64;
    private const int MaxWord = 64;

    /// <summary>Adds every feature of <paramref name="text"/> to <paramref name="destination"/> (a power-of-two length).</summary>
    public static void Add(ReadOnlySpan<char> text, Span<float> destination)
    {
        uint mask = (uint)destination.Length - 1;
        uint previous = 0;
        bool hasPrevious = false;
        Span<char> word = stackalloc char[MaxWord];
        int position = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // The lowered window between two non-word sentinels, padded for whole-vector reads; a trigram hash per character.
            Span<char> lowered = stackalloc char[Window + 2 + Vector256<ushort>.Count];
            Span<uint> trigrams = stackalloc uint[Window + Vector256<ushort>.Count];
            while (position < text.Length)
            {
                int length = Math.Min(Window, text.Length - position);
                ulong words = LowerAndClassify(text.Slice(position, length), lowered, out bool ascii);
                if (ascii && position + length < text.Length && ((words >> (length - 1)) & 1) != 0 && IsWordChar(text[position + length]))
                {
                    // The last word continues past the window: the window ends before it.
                    ulong separators = ~words & (ulong.MaxValue >> (64 - length));
                    length = separators == 0 ? 0 : 64 - BitOperations.LeadingZeroCount(separators);
                    words &= ulong.MaxValue >> (64 - length);
                }

                if (!ascii || length == 0)
                {
                    // Other characters (or one word longer than a window): word by word, up to the end of a word past the window.
                    position = AddWordByWord(text, position, position + Math.Max(length, 1), destination, word, ref previous, ref hasPrevious);
                    continue;
                }

                lowered.Slice(length + 1).Fill(' ');
                HashTrigrams(lowered, trigrams, length);
                AddWindow(lowered, trigrams, words, destination, mask, ref previous, ref hasPrevious);
                position += length;
            }

            return;
        }

        _ = AddWordByWord(text, 0, text.Length, destination, word, ref previous, ref hasPrevious);
    }

    /// <summary>Lower-cases <paramref name="window"/> into <paramref name="lowered"/> (from index 1, index 0 a space) and returns a bit per word character.</summary>
    private static ulong LowerAndClassify(ReadOnlySpan<char> window, Span<char> lowered, out bool ascii)
    {
        lowered[0] = ' ';
        ulong words = 0;
        int i = 0;
        Vector256<ushort> any = Vector256<ushort>.Zero;
        ref ushort source = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(window));
        ref ushort target = ref Unsafe.As<char, ushort>(ref lowered[1]);
        for (; i + Vector256<ushort>.Count <= window.Length; i += Vector256<ushort>.Count)
        {
            Vector256<ushort> c = Vector256.LoadUnsafe(ref source, (nuint)i);
            any |= c;
            Vector256<ushort> low = Lower(c);
            low.StoreUnsafe(ref target, (nuint)i);
            words |= (ulong)IsWord(low).ExtractMostSignificantBits() << i;
        }

        uint tail = 0;
        for (; i < window.Length; i++)
        {
            char c = window[i];
            tail |= c;
            c = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            lowered[i + 1] = c;
            words |= char.IsAsciiLetterOrDigit(c) ? 1UL << i : 0;
        }

        ascii = ((any | Vector256.Create((ushort)tail)) & Vector256.Create((ushort)0xFF80)) == Vector256<ushort>.Zero;
        return words;
    }

    private static Vector256<ushort> Lower(Vector256<ushort> c) =>
        c | (Vector256.LessThanOrEqual(c - Vector256.Create((ushort)'A'), Vector256.Create((ushort)25)) & Vector256.Create((ushort)0x20));

    /// <summary>All ones where a lowered character is an ASCII letter or digit.</summary>
    private static Vector256<ushort> IsWord(Vector256<ushort> low) =>
        Vector256.LessThanOrEqual(low - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9)) |
        Vector256.LessThanOrEqual(low - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));

    /// <summary>The trigram hash centred on each of the window's characters (<see cref="FeatureHash.Hash"/> of left, centre, right).</summary>
    private static void HashTrigrams(ReadOnlySpan<char> lowered, Span<uint> trigrams, int length)
    {
        ref ushort low = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(lowered));
        ref uint target = ref MemoryMarshal.GetReference(trigrams);
        Vector256<ushort> start = Vector256.Create((ushort)'^');
        Vector256<ushort> end = Vector256.Create((ushort)'$');
        for (int p = 0; p < length; p += Vector256<ushort>.Count)
        {
            Vector256<ushort> left = Vector256.LoadUnsafe(ref low, (nuint)p);
            Vector256<ushort> centre = Vector256.LoadUnsafe(ref low, (nuint)p + 1);
            Vector256<ushort> right = Vector256.LoadUnsafe(ref low, (nuint)p + 2);
            left = Vector256.ConditionalSelect(IsWord(left), left, start);
            right = Vector256.ConditionalSelect(IsWord(right), right, end);
            (Vector256<uint> l0, Vector256<uint> l1) = Vector256.Widen(left);
            (Vector256<uint> c0, Vector256<uint> c1) = Vector256.Widen(centre);
            (Vector256<uint> r0, Vector256<uint> r1) = Vector256.Widen(right);
            Trigram(l0, c0, r0).StoreUnsafe(ref target, (nuint)p);
            Trigram(l1, c1, r1).StoreUnsafe(ref target, (nuint)p + (nuint)Vector256<uint>.Count);
        }
    }

    private static Vector256<uint> Trigram(Vector256<uint> left, Vector256<uint> centre, Vector256<uint> right)
    {
        Vector256<uint> prime = Vector256.Create(16777619u);
        Vector256<uint> h = (Vector256.Create(2166136261u ^ TrigramSeed) ^ left) * prime;
        h = (h ^ centre) * prime;
        h = (h ^ right) * prime;

        // FeatureHash.Mix(h, TrigramSeed).
        h ^= Vector256.Create(unchecked(TrigramSeed * 0xCC9E2D51u));
        h ^= h >> 16;
        h *= Vector256.Create(0x85EBCA6Bu);
        h ^= h >> 13;
        h *= Vector256.Create(0xC2B2AE35u);
        return h ^ (h >> 16);
    }

    /// <summary>Walks the window's words (the set bits of <paramref name="words"/>) in order and adds their features.</summary>
    private static void AddWindow(ReadOnlySpan<char> lowered, ReadOnlySpan<uint> trigrams, ulong words, Span<float> destination, uint mask, ref uint previous, ref bool hasPrevious)
    {
        while (words != 0)
        {
            int start = BitOperations.TrailingZeroCount(words);
            int length = BitOperations.TrailingZeroCount(~(words >> start));
            words = start + length >= 64 ? 0 : words & (ulong.MaxValue << (start + length));
            ReadOnlySpan<char> word = lowered.Slice(start + 1, length);
            uint h = 2166136261u ^ HashedWords.WordSeed;
            foreach (char c in word)
            {
                h = (h ^ c) * 16777619u;
            }

            uint hash = FeatureHash.Mix(h, HashedWords.WordSeed);
            bool stop = StopWords.Contains(word, hash);
            AddWordAndBigram(destination, hash, mask, stop, ref previous, ref hasPrevious);
            if (!stop && length >= 2)
            {
                foreach (uint trigram in trigrams.Slice(start, length))
                {
                    Add(destination, trigram, mask, TrigramWeight);
                }
            }
        }
    }

    /// <summary>The word-by-word walk from <paramref name="from"/> (a word boundary) until a word ends at or past <paramref name="until"/>; returns where it stopped.</summary>
    private static int AddWordByWord(ReadOnlySpan<char> text, int from, int until, Span<float> destination, Span<char> buffer, ref uint previous, ref bool hasPrevious)
    {
        uint mask = (uint)destination.Length - 1;
        var words = new HashedWords(text, buffer, from);
        while (words.Position < until && words.MoveNext())
        {
            Span<char> w = words.Word;
            bool stop = StopWords.Contains(w, words.Hash);
            AddWordAndBigram(destination, words.Hash, mask, stop, ref previous, ref hasPrevious);
            if (!stop)
            {
                AddTrigrams(destination, w, mask);
            }
        }

        return words.Position;
    }

    private static void AddWordAndBigram(Span<float> destination, uint hash, uint mask, bool stop, ref uint previous, ref bool hasPrevious)
    {
        Add(destination, hash, mask, stop ? StopWordWeight : WordWeight);
        if (hasPrevious)
        {
            Add(destination, FeatureHash.Mix(previous, hash), mask, BigramWeight);
        }

        previous = hash;
        hasPrevious = true;
    }

    private static void AddTrigrams(Span<float> destination, ReadOnlySpan<char> word, uint mask)
    {
        // "^ab", "abc", …, "yz$": a word of n chars has n trigrams with its two boundary markers.
        int n = word.Length;
        if (n < 2)
        {
            return;
        }

        // FeatureHash.Hash over the three characters, unrolled (the same value, without a span per trigram).
        for (int k = -1; k < n - 1; k++)
        {
            uint h = 2166136261u ^ TrigramSeed;
            h = (h ^ (k < 0 ? '^' : word[k])) * 16777619u;
            h = (h ^ word[k + 1]) * 16777619u;
            h = (h ^ (k + 2 < n ? word[k + 2] : '$')) * 16777619u;
            Add(destination, FeatureHash.Mix(h, TrigramSeed), mask, TrigramWeight);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<float> destination, uint hash, uint mask, float weight)
    {
        // Signed hashing: the top bit picks the sign so colliding features cancel rather than pile up. It is copied into the
        // weight's sign bit (exactly -weight, without a branch the random sign would mispredict half the time).
        destination[(int)(hash & mask)] += BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(weight) ^ (hash & 0x80000000u));
    }

    private static bool IsWordChar(char c) => char.IsAscii(c) ? char.IsAsciiLetterOrDigit(c) : char.IsLetterOrDigit(c);

    /// <summary>The stop words (weighted low, no trigrams), in an open-addressing table on the word hash the walk computes anyway.</summary>
    private static class StopWords
    {
        private const int Slots = 256;

        private static readonly string[] Words =
        [
            "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "is", "are",
            "was", "were", "be", "been", "it", "this", "that", "these", "those", "i", "you", "we", "they", "he", "she",
            "me", "my", "your", "our", "their", "do", "does", "did", "can", "could", "would", "should", "will", "please",
            "what", "how", "as", "if", "so", "not", "no", "yes", "have", "has", "had", "there", "here", "about", "into",
        ];

        private static readonly int MaxLength = Words.Max(w => w.Length);
        private static readonly uint[] Hashes = new uint[Slots];
        private static readonly string?[] Entries = Build();

        /// <summary>Whether the lower-cased <paramref name="word"/>, whose <see cref="FeatureHash"/> word hash is <paramref name="hash"/>, is a stop word.</summary>
        public static bool Contains(ReadOnlySpan<char> word, uint hash)
        {
            if (word.Length > MaxLength)
            {
                return false;
            }

            for (uint slot = hash % Slots; Entries[slot] is { } entry; slot = (slot + 1) % Slots)
            {
                if (Hashes[slot] == hash && word.SequenceEqual(entry))
                {
                    return true;
                }
            }

            return false;
        }

        private static string?[] Build()
        {
            string?[] entries = new string?[Slots];
            foreach (string word in Words)
            {
                uint hash = FeatureHash.Hash(word, HashedWords.WordSeed);
                uint slot = hash % Slots;
                while (entries[slot] is not null)
                {
                    slot = (slot + 1) % Slots;
                }

                entries[slot] = word;
                Hashes[slot] = hash;
            }

            return entries;
        }
    }
}
