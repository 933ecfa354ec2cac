using System.Numerics.Tensors;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Learning;

/// <summary>The features of a labelled request: its local embedding, stored sparse (hashed buckets and weights, never words).</summary>
/// <remarks>
/// The embedding is the <see cref="LocalEmbeddingGenerator"/>'s signed feature hashing of words, bigrams and trigrams,
/// L2-normalised; only the non-zero buckets are kept (the largest <see cref="MaxEntries"/> by magnitude). It cannot be
/// turned back into the text, but short prompts with distinctive words are recognisable by anyone who can embed guesses:
/// treat a label store like an access log.
/// </remarks>
public sealed class RoutingLabelFeatures
{
    /// <summary>The most buckets a label keeps.</summary>
    public const int MaxEntries = 512;

    /// <summary>Initializes a new instance of the <see cref="RoutingLabelFeatures"/> class.</summary>
    /// <param name="dimensions">The embedding size (a power of two from 32 to 8192).</param>
    /// <param name="indices">The non-zero buckets, ascending.</param>
    /// <param name="values">Their weights.</param>
    /// <exception cref="ArgumentException">The lengths differ, an index is out of range, or a value is not finite.</exception>
    public RoutingLabelFeatures(int dimensions, IReadOnlyList<int> indices, IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        if (dimensions is < 32 or > 8192 || (dimensions & (dimensions - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Dimensions must be a power of two from 32 to 8192.");
        }

        if (indices.Count != values.Count || indices.Count > MaxEntries)
        {
            throw new ArgumentException($"indices and values must have the same length, at most {MaxEntries} (were {indices.Count} and {values.Count}).", nameof(values));
        }

        for (int i = 0; i < indices.Count; i++)
        {
            if ((uint)indices[i] >= (uint)dimensions || !float.IsFinite(values[i]))
            {
                throw new ArgumentException($"Entry {i}: the index must be below {dimensions} and the value finite.", nameof(indices));
            }
        }

        Dimensions = dimensions;
        Indices = [.. indices];
        Values = [.. values];
    }

    /// <summary>Gets the embedding size.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the non-zero buckets.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Gets their weights.</summary>
    public IReadOnlyList<float> Values { get; }

    /// <summary>Embeds a text as the adaptive router does (a long one by its beginning and end, <see cref="AdaptiveModel.MaxEmbeddedCharacters"/>) and keeps the largest buckets.</summary>
    /// <param name="text">The text (the request's latest user message).</param>
    /// <param name="dimensions">The embedding size.</param>
    /// <returns>The features.</returns>
    public static RoutingLabelFeatures FromText(ReadOnlySpan<char> text, int dimensions)
    {
        var generator = dimensions == LocalEmbeddingGenerator.DefaultDimensions ? LocalEmbeddingGenerator.Default : new LocalEmbeddingGenerator(dimensions);
        float[] dense = new float[dimensions];
        AdaptiveModel.Embed(generator, text, dense);
        return FromDense(dense);
    }

    /// <summary>Keeps the largest non-zero entries of a dense embedding.</summary>
    /// <param name="embedding">The embedding.</param>
    /// <returns>The features.</returns>
    public static RoutingLabelFeatures FromDense(ReadOnlySpan<float> embedding)
    {
        var entries = new List<(int Index, float Value)>();
        for (int i = 0; i < embedding.Length; i++)
        {
            if (embedding[i] != 0)
            {
                entries.Add((i, embedding[i]));
            }
        }

        if (entries.Count > MaxEntries)
        {
            entries = [.. entries.OrderByDescending(e => Math.Abs(e.Value)).ThenBy(e => e.Index).Take(MaxEntries).OrderBy(e => e.Index)];
        }

        return new RoutingLabelFeatures(embedding.Length, [.. entries.Select(e => e.Index)], [.. entries.Select(e => e.Value)]);
    }

    /// <summary>Writes the dense, L2-normalised embedding.</summary>
    /// <param name="destination">Exactly <see cref="Dimensions"/> floats; overwritten.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length != Dimensions)
        {
            throw new ArgumentException($"The destination must hold exactly {Dimensions} floats.", nameof(destination));
        }

        destination.Clear();
        for (int i = 0; i < Indices.Count; i++)
        {
            destination[Indices[i]] = Values[i];
        }

        float norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    /// <summary>Returns the dense, L2-normalised embedding.</summary>
    /// <returns>A new array of <see cref="Dimensions"/> floats.</returns>
    public float[] ToDense()
    {
        float[] dense = new float[Dimensions];
        CopyTo(dense);
        return dense;
    }
}
