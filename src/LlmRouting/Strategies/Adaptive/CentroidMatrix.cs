using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmRouting.Strategies;

/// <summary>
/// The adaptive model's centroids stored by dimension (each dimension's value in every region, side by side), so that a
/// request's similarity to every region is one pass over the request's non-zero dimensions: the local embedding of a
/// prompt fills a few hundred of its 4 096 buckets, and the pass reads those rows of the matrix instead of all of it.
/// </summary>
/// <remarks>
/// A region's similarity is the sum, over the embedding's non-zero dimensions in increasing order, of value × centroid
/// value: alternate dimensions go to two fused multiply-add chains, which are added at the end. Every region is computed
/// by the same operations in its own lane, so the value does not depend on the vector width or on the other regions;
/// it differs from <see cref="System.Numerics.Tensors.TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> of the
/// two vectors only by the rounding of a different summation order. Immutable and thread-safe.
/// </remarks>
internal sealed class CentroidMatrix
{
    /// <summary>Regions per pass over the non-zero dimensions: four vectors of eight, in registers.</summary>
    private const int Block = 4 * 8;

    /// <summary>The centroid values, <c>[dimension * stride + region]</c>; regions past <see cref="Regions"/> are zero.</summary>
    private readonly float[] _values;
    private readonly int _stride;

    /// <summary>Initializes a new instance of the <see cref="CentroidMatrix"/> class from row-major centroids.</summary>
    /// <param name="centroids">The centroids, <paramref name="dimensions"/> values each, back to back.</param>
    /// <param name="regions">The number of centroids.</param>
    /// <param name="dimensions">The embedding size.</param>
    public CentroidMatrix(ReadOnlySpan<float> centroids, int regions, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(regions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (centroids.Length != regions * dimensions)
        {
            throw new ArgumentException($"The centroids must hold {regions} × {dimensions} values (was {centroids.Length}).", nameof(centroids));
        }

        Regions = regions;
        Dimensions = dimensions;
        _stride = (regions + Block - 1) / Block * Block;
        _values = new float[dimensions * _stride];
        for (int r = 0; r < regions; r++)
        {
            for (int d = 0; d < dimensions; d++)
            {
                _values[(d * _stride) + r] = centroids[(r * dimensions) + d];
            }
        }
    }

    /// <summary>Gets the number of regions.</summary>
    public int Regions { get; }

    /// <summary>Gets the embedding size.</summary>
    public int Dimensions { get; }

    /// <summary>Writes each region's similarity with <paramref name="embedding"/> (its dot product with the centroid).</summary>
    /// <param name="embedding">The request's embedding, <see cref="Dimensions"/> values.</param>
    /// <param name="similarities">One slot per region.</param>
    public void Similarities(ReadOnlySpan<float> embedding, Span<float> similarities)
    {
        if (embedding.Length != Dimensions || similarities.Length < Regions)
        {
            throw new ArgumentException($"The embedding must hold {Dimensions} values and the similarities {Regions} slots.", nameof(embedding));
        }

        int[]? rented = Dimensions > 8_192 ? ArrayPool<int>.Shared.Rent(Dimensions) : null;
        Span<int> nonZero = rented is null ? stackalloc int[Dimensions] : rented.AsSpan(0, Dimensions);
        float[]? rentedSums = _stride > 1_024 ? ArrayPool<float>.Shared.Rent(_stride) : null;
        Span<float> sums = rentedSums is null ? stackalloc float[_stride] : rentedSums.AsSpan(0, _stride);
        try
        {
            int count = NonZero(embedding, nonZero);
            for (int block = 0; block < _stride; block += Block)
            {
                SumBlock(embedding, nonZero[..count], block, sums);
            }

            sums[..Regions].CopyTo(similarities);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }

            if (rentedSums is not null)
            {
                ArrayPool<float>.Shared.Return(rentedSums);
            }
        }
    }

    /// <summary>Writes the indices of the embedding's non-zero values, in increasing order; returns how many.</summary>
    private static int NonZero(ReadOnlySpan<float> embedding, Span<int> indices)
    {
        int count = 0;
        int i = 0;
        ref float start = ref MemoryMarshal.GetReference(embedding);
        for (; i + Vector256<float>.Count <= embedding.Length; i += Vector256<float>.Count)
        {
            uint found = ~Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu;
            while (found != 0)
            {
                indices[count++] = i + BitOperations.TrailingZeroCount(found);
                found &= found - 1;
            }
        }

        for (; i < embedding.Length; i++)
        {
            if (embedding[i] != 0)
            {
                indices[count++] = i;
            }
        }

        return count;
    }

    /// <summary>The similarities of the <see cref="Block"/> regions from <paramref name="block"/>: two chains of fused multiply-adds over the non-zero dimensions, alternately.</summary>
    private void SumBlock(ReadOnlySpan<float> embedding, ReadOnlySpan<int> nonZero, int block, Span<float> sums)
    {
        const int Lane = 8;
        ref float values = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), block);
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int n = 0;
        for (; n + 2 <= nonZero.Length; n += 2)
        {
            int i = nonZero[n], j = nonZero[n + 1];
            ref float ri = ref Unsafe.Add(ref values, i * _stride);
            ref float rj = ref Unsafe.Add(ref values, j * _stride);
            Vector256<float> qi = Vector256.Create(embedding[i]), qj = Vector256.Create(embedding[j]);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri), qi, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri, Lane), qi, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri, 2 * Lane), qi, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri, 3 * Lane), qi, a3);
            b0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rj), qj, b0);
            b1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rj, Lane), qj, b1);
            b2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rj, 2 * Lane), qj, b2);
            b3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rj, 3 * Lane), qj, b3);
        }

        if (n < nonZero.Length)
        {
            int i = nonZero[n];
            ref float ri = ref Unsafe.Add(ref values, i * _stride);
            Vector256<float> qi = Vector256.Create(embedding[i]);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri), qi, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri, Lane), qi, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri, 2 * Lane), qi, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ri, 3 * Lane), qi, a3);
        }

        ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(sums), block);
        (a0 + b0).StoreUnsafe(ref target);
        (a1 + b1).StoreUnsafe(ref target, Lane);
        (a2 + b2).StoreUnsafe(ref target, 2 * Lane);
        (a3 + b3).StoreUnsafe(ref target, 3 * Lane);
    }
}
