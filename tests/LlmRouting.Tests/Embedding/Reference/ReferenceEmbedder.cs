// The local embedder's vector computation as it was before the windowed, vectorised rewrite (issue 17), kept verbatim
// (LocalEmbeddingGenerator.Compute with HashedWords at 3f55149) as the oracle that EmbeddingEquivalenceTests compare the
// shipped embedder against, bit for bit. Do not optimise: it is the reference.
using System.Numerics.Tensors;
using LlmRouting.Embeddings;

namespace LlmRouting.Tests.Embedding.Reference;

/// <summary>Signed feature hashing of words, word bigrams and character trigrams into an L2-normalised vector.</summary>
internal static class ReferenceEmbedder
{
    private const uint WordSeed = 0x9E3779B9u;
    private const float WordWeight = 1.0f;
    private const float StopWordWeight = 0.15f;
    private const float BigramWeight = 0.6f;
    private const float TrigramWeight = 0.35f;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "is", "are",
        "was", "were", "be", "been", "it", "this", "that", "these", "those", "i", "you", "we", "they", "he", "she",
        "me", "my", "your", "our", "their", "do", "does", "did", "can", "could", "would", "should", "will", "please",
        "what", "how", "as", "if", "so", "not", "no", "yes", "have", "has", "had", "there", "here", "about", "into",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordLookup = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly int MaxStopWordLength = StopWords.Max(w => w.Length);

    public static float[] Embed(ReadOnlySpan<char> text, int dimensions)
    {
        float[] destination = new float[dimensions];
        Compute(text, destination);
        return destination;
    }

    private static void Compute(ReadOnlySpan<char> text, Span<float> destination)
    {
        destination.Clear();
        int mask = destination.Length - 1;
        var words = new Words(text, stackalloc char[64]);
        while (words.MoveNext())
        {
            Span<char> w = words.Word;
            bool stop = w.Length <= MaxStopWordLength && StopWordLookup.Contains(w);
            Add(destination, words.Hash, mask, stop ? StopWordWeight : WordWeight);

            if (words.HasPrevious)
            {
                Add(destination, FeatureHash.Mix(words.Previous, words.Hash), mask, BigramWeight);
            }

            if (!stop)
            {
                AddTrigrams(destination, w, mask);
            }
        }

        float norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    private static void AddTrigrams(Span<float> destination, ReadOnlySpan<char> word, int mask)
    {
        int n = word.Length;
        if (n < 2)
        {
            return;
        }

        const uint Seed = 0x85EBCA6Bu;
        for (int k = -1; k < n - 1; k++)
        {
            uint h = 2166136261u ^ Seed;
            h = (h ^ (k < 0 ? '^' : word[k])) * 16777619u;
            h = (h ^ word[k + 1]) * 16777619u;
            h = (h ^ (k + 2 < n ? word[k + 2] : '$')) * 16777619u;
            Add(destination, FeatureHash.Mix(h, Seed), mask, TrigramWeight);
        }
    }

    private static void Add(Span<float> destination, uint hash, int mask, float weight)
    {
        destination[(int)(hash & (uint)mask)] += (hash & 0x80000000u) != 0 ? -weight : weight;
    }

    /// <summary>HashedWords at 3f55149.</summary>
    private ref struct Words
    {
        private readonly ReadOnlySpan<char> _text;
        private readonly Span<char> _buffer;
        private int _position;
        private bool _started;

        public Words(ReadOnlySpan<char> text, Span<char> buffer)
        {
            _text = text;
            _buffer = buffer;
            _position = 0;
            _started = false;
            Word = default;
            Hash = 0;
            Previous = 0;
            HasPrevious = false;
        }

        public Span<char> Word { get; private set; }

        public uint Hash { get; private set; }

        public uint Previous { get; private set; }

        public bool HasPrevious { get; private set; }

        public bool MoveNext()
        {
            ReadOnlySpan<char> text = _text;
            int i = _position;
            while (i < text.Length && !IsWordChar(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                _position = i;
                return false;
            }

            int start = i;
            bool ascii = true;
            while (i < text.Length && IsWordChar(text[i]))
            {
                ascii &= char.IsAscii(text[i]);
                i++;
            }

            _position = i;
            ReadOnlySpan<char> raw = text[start..Math.Min(i, start + _buffer.Length)];
            Span<char> word = _buffer[..raw.Length];
            uint hash;
            if (ascii)
            {
                uint h = 2166136261u ^ WordSeed;
                for (int k = 0; k < raw.Length; k++)
                {
                    char c = raw[k];
                    c = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                    word[k] = c;
                    h = (h ^ c) * 16777619u;
                }

                hash = FeatureHash.Mix(h, WordSeed);
            }
            else
            {
                raw.ToLowerInvariant(word);
                hash = FeatureHash.Hash(word, WordSeed);
            }

            HasPrevious = _started;
            _started = true;
            Previous = Hash;
            Word = word;
            Hash = hash;
            return true;
        }

        private static bool IsWordChar(char c) => char.IsAscii(c) ? char.IsAsciiLetterOrDigit(c) : char.IsLetterOrDigit(c);
    }
}
