// The embedding strategy's top-k vote as it was before the quantised first pass (issue 17), kept verbatim
// (EmbeddingRoutingStrategy.Score's top-k and RouteMatrix.Dot at 3f55149) as the oracle RouteTopKTests compare against.
// Do not optimise: it is the reference.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmRouting.Tests.Embedding.Reference;

/// <summary>Every row scored in floats, then the k best eligible rows by insertion in row order.</summary>
internal static class ReferenceRouteScoring
{
    public static void TopK(float[] matrix, int[] rowRoute, ReadOnlySpan<float> query, ReadOnlySpan<bool> eligible, Span<float> topScores, Span<int> topRows)
    {
        int k = topScores.Length;
        topScores.Fill(float.NegativeInfinity);
        int rows = rowRoute.Length;
        float[] similarities = new float[rows];
        Dot(matrix, query, similarities);
        for (int row = 0; row < rows; row++)
        {
            if (!eligible.IsEmpty && !eligible[rowRoute[row]])
            {
                continue;
            }

            float similarity = similarities[row];
            if (similarity <= topScores[k - 1])
            {
                continue;
            }

            int at = k - 1;
            while (at > 0 && topScores[at - 1] < similarity)
            {
                topScores[at] = topScores[at - 1];
                topRows[at] = topRows[at - 1];
                at--;
            }

            topScores[at] = similarity;
            topRows[at] = row;
        }
    }

    private static void Dot(ReadOnlySpan<float> matrix, ReadOnlySpan<float> query, Span<float> scores)
    {
        int dim = query.Length;
        int rows = scores.Length;
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
}
