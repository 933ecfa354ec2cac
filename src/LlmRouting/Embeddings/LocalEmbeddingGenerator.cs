using System.IO.Hashing;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Embeddings;

/// <summary>
/// A local, dependency-free embedding generator: signed feature hashing of words, word bigrams and
/// character trigrams into a fixed-size, L2-normalised vector. No model download, no network, microseconds per text.
/// </summary>
/// <remarks>
/// <para>
/// It captures lexical similarity (shared words, stems and phrasing), not deep semantics; it is the
/// offline default for the embedding strategy and the semantic cache, and any
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (OpenAI, Ollama, ONNX) can replace it.
/// </para>
/// <para>Thread-safe and deterministic: the same text always yields the same vector, on every machine.</para>
/// </remarks>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The default number of dimensions.</summary>
    public const int DefaultDimensions = 256;

    /// <summary>The number of vector sizes (the powers of two from 32 to 8192), one memo each.</summary>
    private const int Sizes = 9;

    /// <summary>
    /// The last text this thread embedded at each vector size (by content hash, never the text) and its vector: the embedding
    /// strategy and the semantic cache embed the same user turn once per request, and a generator of another size in the
    /// same request (the adaptive router's 4 096 dimensions) neither evicts that memo nor makes a new one each time.
    /// </summary>
    [ThreadStatic]
    private static Memo?[]? _lastEmbedded;

    /// <summary>This generator's memo in <see cref="_lastEmbedded"/>: log2 of its size − 5.</summary>
    private readonly int _memoSlot;

    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Initializes a new instance of the <see cref="LocalEmbeddingGenerator"/> class.</summary>
    /// <param name="dimensions">The vector size; a power of two from 32 to 8192.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is not a power of two in range.</exception>
    public LocalEmbeddingGenerator(int dimensions = DefaultDimensions)
    {
        if (dimensions is < 32 or > 8192 || (dimensions & (dimensions - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Dimensions must be a power of two from 32 to 8192.");
        }

        Dimensions = dimensions;
        _memoSlot = BitOperations.Log2((uint)dimensions) - 5;
        _metadata = new EmbeddingGeneratorMetadata("llmrouting-local", providerUri: null, defaultModelId: "hashed-ngrams-v1", defaultModelDimensions: dimensions);
    }

    /// <summary>Gets the shared instance with <see cref="DefaultDimensions"/> dimensions.</summary>
    public static LocalEmbeddingGenerator Default { get; } = new();

    /// <summary>Gets the vector size.</summary>
    public int Dimensions { get; }

    /// <summary>Embeds <paramref name="text"/> into a new vector.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The L2-normalised vector (all zeros for text without words).</returns>
    public float[] Embed(ReadOnlySpan<char> text)
    {
        float[] vector = new float[Dimensions];
        Embed(text, vector);
        return vector;
    }

    /// <summary>Embeds <paramref name="text"/> into <paramref name="destination"/> without allocating.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">A span of exactly <see cref="Dimensions"/> floats; overwritten.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != Dimensions)
        {
            throw new ArgumentException($"The destination must hold exactly {Dimensions} floats.", nameof(destination));
        }

        // The generator is deterministic: a text embedded just before on this thread (same content, same size) has this vector.
        UInt128 hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(text));
        Memo?[] memos = _lastEmbedded ??= new Memo?[Sizes];
        if (memos[_memoSlot] is { } last && last.Hash == hash && last.Length == text.Length)
        {
            last.Vector.CopyTo(destination);
            return;
        }

        Compute(text, destination);
        Memo memo = memos[_memoSlot] ??= new Memo(new float[Dimensions]);
        memo.Hash = hash;
        memo.Length = text.Length;
        destination.CopyTo(memo.Vector);
    }

    private static void Compute(ReadOnlySpan<char> text, Span<float> destination)
    {
        destination.Clear();
        HashedFeatures.Add(text, destination);
        float norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    /// <inheritdoc/>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } requested && requested != Dimensions)
        {
            throw new ArgumentException($"This generator produces {Dimensions} dimensions; {requested} were requested.", nameof(options));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (string value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ArgumentNullException.ThrowIfNull(value, nameof(values));
            result.Add(new Embedding<float>(Embed(value)) { CreatedAt = now, ModelId = _metadata.DefaultModelId });
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null :
            serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata :
            serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing to release.
    }

    private sealed class Memo(float[] vector)
    {
        public UInt128 Hash { get; set; }

        public int Length { get; set; }

        public float[] Vector { get; } = vector;
    }
}
