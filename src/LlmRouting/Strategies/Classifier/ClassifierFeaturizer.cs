using System.Buffers;
using LlmRouting.Embeddings;

namespace LlmRouting.Strategies;

/// <summary>
/// Turns a prompt into the classifier's features: signed hashed word unigrams, word bigrams and character
/// n-grams in a fixed-size space, plus a few dense numeric text statistics.
/// </summary>
/// <remarks>
/// <para>
/// Training (<see cref="ClassifierTrainer"/>) and inference (<see cref="ClassifierModel.Score(ReadOnlySpan{char})"/>)
/// share this code, so a model always sees features computed exactly as during training. The hashed part is
/// scaled by 1/√(number of hashed features) so long and short prompts have comparable magnitude.
/// </para>
/// <para>One pass over the text; no allocation (fixed stack buffers, features streamed to a sink).</para>
/// </remarks>
internal sealed class ClassifierFeaturizer
{
    /// <summary>The name of the hashed n-gram feature family, recorded in the model file.</summary>
    public const string HashedFeatureSetName = "hashed-ngrams-v1";

    /// <summary>The largest word length kept; longer tokens (hashes, base64) are truncated.</summary>
    private const int MaxWordLength = 32;

    private const float UnigramWeight = 1.0f;
    private const float BigramWeight = 0.7f;
    private const float CharGramWeight = 0.4f;

    public ClassifierFeaturizer(int hashBits, int charNGramMin, int charNGramMax, NumericFeatureSet numeric)
    {
        if (hashBits is < 10 or > 24)
        {
            throw new ArgumentOutOfRangeException(nameof(hashBits), hashBits, "Hash bits must be from 10 to 24.");
        }

        if (charNGramMin < 0 || charNGramMax < charNGramMin || charNGramMax > 6 || (charNGramMin == 0) != (charNGramMax == 0))
        {
            throw new ArgumentOutOfRangeException(nameof(charNGramMin), $"Character n-gram range [{charNGramMin}, {charNGramMax}] must be 0..0 (off) or within 1..6.");
        }

        HashBits = hashBits;
        CharNGramMin = charNGramMin;
        CharNGramMax = charNGramMax;
        Numeric = numeric;
    }

    /// <summary>Gets the number of hash bits: the hashed space has 2^bits dimensions.</summary>
    public int HashBits { get; }

    /// <summary>Gets the hashed space's size.</summary>
    public int HashDimensions => 1 << HashBits;

    /// <summary>Gets the shortest character n-gram (0 = none).</summary>
    public int CharNGramMin { get; }

    /// <summary>Gets the longest character n-gram (0 = none).</summary>
    public int CharNGramMax { get; }

    /// <summary>Gets the dense numeric features appended after the hashed ones.</summary>
    public NumericFeatureSet Numeric { get; }

    /// <summary>Streams every hashed feature of <paramref name="text"/> to <paramref name="sink"/>.</summary>
    /// <typeparam name="TSink">The sink (a struct, so calls are inlined).</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="sink">Receives (index, signed weight) pairs before scaling.</param>
    /// <returns>The number of features emitted (for the 1/√n scale).</returns>
    public int Hash<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : IFeatureSink, allows ref struct
    {
        uint mask = (uint)HashDimensions - 1;
        int count = 0;
        var words = new HashedWords(text, stackalloc char[MaxWordLength]);
        while (words.MoveNext())
        {
            Emit(ref sink, words.Hash, mask, UnigramWeight);
            count++;
            if (words.HasPrevious)
            {
                Emit(ref sink, FeatureHash.Mix(words.Previous, words.Hash), mask, BigramWeight);
                count++;
            }

            if (CharNGramMax > 0)
            {
                count += EmitCharGrams(ref sink, words.Word, mask);
            }
        }

        return count;
    }

    private int EmitCharGrams<TSink>(ref TSink sink, scoped ReadOnlySpan<char> word, uint mask)
        where TSink : IFeatureSink, allows ref struct
    {
        // The word framed by boundary markers: "^word$"; n-grams of each length in range.
        Span<char> framed = stackalloc char[MaxWordLength + 2];
        framed[0] = '^';
        word.CopyTo(framed[1..]);
        framed[word.Length + 1] = '$';
        ReadOnlySpan<char> f = framed[..(word.Length + 2)];
        int count = 0;

        // One pass per start position: the hash of the n-gram is extended by one character to get the (n+1)-gram,
        // and only the final mix differs per length.
        int shortest = word.Length <= 1 ? Math.Max(CharNGramMin, 3) : CharNGramMin;
        for (int k = 0; k + shortest <= f.Length; k++)
        {
            uint h = 2166136261u;
            int longest = Math.Min(CharNGramMax, f.Length - k);
            for (int n = 1; n <= longest; n++)
            {
                h = (h ^ f[k + n - 1]) * 16777619u;
                if (n >= shortest)
                {
                    Emit(ref sink, FeatureHash.Mix(h, 0x85EBCA6Bu + (uint)n), mask, CharGramWeight);
                    count++;
                }
            }
        }

        return count;
    }

    private static void Emit<TSink>(ref TSink sink, uint hash, uint mask, float weight)
        where TSink : IFeatureSink, allows ref struct =>
        sink.Add((int)(hash & mask), (hash & 0x80000000u) != 0 ? -weight : weight);

    /// <summary>Receives hashed features.</summary>
    internal interface IFeatureSink
    {
        void Add(int index, float value);
    }

    /// <summary>Collects features into growable pooled arrays (training).</summary>
    internal struct CollectingSink : IFeatureSink, IDisposable
    {
        private int[] _indices;
        private float[] _values;

        public CollectingSink(int capacity)
        {
            _indices = ArrayPool<int>.Shared.Rent(capacity);
            _values = ArrayPool<float>.Shared.Rent(capacity);
            Count = 0;
        }

        public int Count { get; private set; }

        public readonly ReadOnlySpan<int> Indices => _indices.AsSpan(0, Count);

        public readonly ReadOnlySpan<float> Values => _values.AsSpan(0, Count);

        public void Add(int index, float value)
        {
            if (Count == _indices.Length)
            {
                Grow();
            }

            _indices[Count] = index;
            _values[Count] = value;
            Count++;
        }

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(_indices);
            ArrayPool<float>.Shared.Return(_values);
            _indices = [];
            _values = [];
        }

        private void Grow()
        {
            int[] indices = ArrayPool<int>.Shared.Rent(_indices.Length * 2);
            float[] values = ArrayPool<float>.Shared.Rent(_values.Length * 2);
            _indices.AsSpan().CopyTo(indices);
            _values.AsSpan().CopyTo(values);
            ArrayPool<int>.Shared.Return(_indices);
            ArrayPool<float>.Shared.Return(_values);
            _indices = indices;
            _values = values;
        }
    }
}
