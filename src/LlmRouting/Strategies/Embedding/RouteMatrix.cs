using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmRouting.Strategies;

/// <summary>
/// Dot products of one query against every row of a contiguous, row-major matrix of normalised utterance vectors:
/// four rows per pass over the query, so each query chunk is loaded once for four fused multiply-adds.
/// </summary>
internal static class RouteMatrix
{
    /// <summary>Writes the dot product of <paramref name="query"/> with each of the matrix's rows into <paramref name="scores"/>.</summary>
    /// <param name="matrix">The rows, <paramref name="query"/>'s length each, back to back.</param>
    /// <param name="query">The query vector.</param>
    /// <param name="scores">One slot per row.</param>
    public static void Dot(ReadOnlySpan<float> matrix, ReadOnlySpan<float> query, Span<float> scores)
    {
        int dim = query.Length;
        int rows = scores.Length;
        if (matrix.Length < rows * dim)
        {
            throw new ArgumentException("The matrix holds fewer rows than scores were asked for.", nameof(matrix));
        }

        int row = 0;
        if (Vector256.IsHardwareAccelerated && dim % Vector256<float>.Count == 0 && dim > 0)
        {
            ref float q = ref MemoryMarshal.GetReference(query);
            ref float m = ref MemoryMarshal.GetReference(matrix);
            for (; row + 4 <= rows; row += 4)
            {
                ref float r0 = ref Unsafe.Add(ref m, row * dim);
                ref float r1 = ref Unsafe.Add(ref r0, dim);
                ref float r2 = ref Unsafe.Add(ref r1, dim);
                ref float r3 = ref Unsafe.Add(ref r2, dim);
                Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < dim; i += Vector256<float>.Count)
                {
                    Vector256<float> x = Vector256.LoadUnsafe(ref q, (nuint)i);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)i), x, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)i), x, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, (nuint)i), x, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, (nuint)i), x, a3);
                }

                scores[row] = Vector256.Sum(a0);
                scores[row + 1] = Vector256.Sum(a1);
                scores[row + 2] = Vector256.Sum(a2);
                scores[row + 3] = Vector256.Sum(a3);
            }
        }

        for (; row < rows; row++)
        {
            scores[row] = TensorPrimitives.Dot(matrix.Slice(row * dim, dim), query);
        }
    }

    /// <summary>The dot product of <paramref name="query"/> with one row, bit for bit the value <see cref="Dot"/> writes for that row.</summary>
    /// <param name="matrix">The rows, <paramref name="query"/>'s length each, back to back.</param>
    /// <param name="rows">The number of rows <see cref="Dot"/> is given (which rows it takes four at a time depends on it).</param>
    /// <param name="row">The row.</param>
    /// <param name="query">The query vector.</param>
    /// <returns>The dot product.</returns>
    public static float DotRow(ReadOnlySpan<float> matrix, int rows, int row, ReadOnlySpan<float> query)
    {
        int dim = query.Length;
        ReadOnlySpan<float> values = matrix.Slice(row * dim, dim);
        if (Vector256.IsHardwareAccelerated && dim % Vector256<float>.Count == 0 && dim > 0 && row < rows - (rows % 4))
        {
            // The same fused multiply-adds into one accumulator, in the same order, as the four-row pass.
            ref float q = ref MemoryMarshal.GetReference(query);
            ref float r = ref MemoryMarshal.GetReference(values);
            Vector256<float> a = Vector256<float>.Zero;
            for (int i = 0; i < dim; i += Vector256<float>.Count)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r, (nuint)i), Vector256.LoadUnsafe(ref q, (nuint)i), a);
            }

            return Vector256.Sum(a);
        }

        return TensorPrimitives.Dot(values, query);
    }
}
