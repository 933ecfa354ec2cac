using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmRouting.Strategies;

/// <summary>The k utterance rows most similar to a query, among the rows of eligible routes: the vote of the embedding strategy.</summary>
internal static class RouteTopK
{
    /// <summary>
    /// Fills <paramref name="topScores"/> (descending) and <paramref name="topRows"/> with the k eligible rows of the highest
    /// float similarity (<see cref="RouteMatrix"/>), earlier rows first among equal scores; slots left over hold negative infinity.
    /// </summary>
    /// <param name="matrix">The float rows.</param>
    /// <param name="quantized">The same rows in 8 bits, or <see langword="null"/> to score every row exactly.</param>
    /// <param name="rowRoute">Each row's route.</param>
    /// <param name="query">The query vector.</param>
    /// <param name="eligibleRoutes">Which routes take part, by route; empty for all.</param>
    /// <param name="topScores">k slots for the scores.</param>
    /// <param name="topRows">k slots for the rows.</param>
    /// <returns>How many rows were scored exactly (with <paramref name="quantized"/>, only those the bound cannot rule out).</returns>
    /// <remarks>
    /// With the quantised rows, every row gets an approximate score a and a bound w with the exact score in [a − w, a + w].
    /// Let L be the k-th largest a − w among eligible rows: k rows score at least L exactly, so a row with a + w &lt; L scores
    /// strictly below the k-th best and cannot be chosen. Every other eligible row is scored exactly, in row order, by the
    /// same insertion as the full pass, so the result is the full pass's, bit for bit.
    /// </remarks>
    public static int Find(ReadOnlySpan<float> matrix, QuantizedRouteMatrix? quantized, ReadOnlySpan<int> rowRoute, ReadOnlySpan<float> query, ReadOnlySpan<bool> eligibleRoutes, Span<float> topScores, Span<int> topRows)
    {
        int rows = rowRoute.Length;
        topScores.Fill(float.NegativeInfinity);
        if (topScores.IsEmpty || rows == 0)
        {
            return 0;
        }

        float[]? rented = rows > 512 ? ArrayPool<float>.Shared.Rent(3 * rows) : null;
        Span<float> buffer = rented is null ? stackalloc float[3 * rows] : rented.AsSpan(0, 3 * rows);
        Span<float> similarities = buffer[..rows];
        Span<float> bounds = buffer.Slice(rows, rows);
        int exact = 0;
        if (quantized is not null && quantized.Rows == rows && quantized.Approximate(query, similarities, bounds))
        {
            // The bounds of each row's exact score (the bound's margin covers these two roundings many times over).
            Span<float> lows = buffer[(2 * rows)..], highs = bounds;
            TensorPrimitives.Subtract(similarities, bounds, lows);
            TensorPrimitives.Add(similarities, bounds, highs);
            float floor = KthLargest(lows, rowRoute, eligibleRoutes, topScores.Length);
            for (int from = 0; from < rows;)
            {
                // Eight rows at a time: most have an upper bound below the floor.
                int row = Next(highs, from, floor, orEqual: true);
                if (row < 0)
                {
                    break;
                }

                if (eligibleRoutes.IsEmpty || eligibleRoutes[rowRoute[row]])
                {
                    Offer(RouteMatrix.DotRow(matrix, rows, row, query), row, topScores, topRows);
                    exact++;
                }

                from = row + 1;
            }
        }
        else
        {
            RouteMatrix.Dot(matrix, query, similarities);
            for (int row = 0; row < rows; row++)
            {
                if (eligibleRoutes.IsEmpty || eligibleRoutes[rowRoute[row]])
                {
                    Offer(similarities[row], row, topScores, topRows);
                }
            }

            exact = rows;
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }

        return exact;
    }

    /// <summary>The k-th largest of the eligible rows' values (negative infinity if fewer than k rows are eligible).</summary>
    private static float KthLargest(ReadOnlySpan<float> values, ReadOnlySpan<int> rowRoute, ReadOnlySpan<bool> eligibleRoutes, int k)
    {
        Span<float> largest = k <= 64 ? stackalloc float[k] : new float[k];
        largest.Fill(float.NegativeInfinity);
        for (int from = 0; from < values.Length;)
        {
            int row = Next(values, from, largest[k - 1], orEqual: false);
            if (row < 0)
            {
                break;
            }

            if (eligibleRoutes.IsEmpty || eligibleRoutes[rowRoute[row]])
            {
                float value = values[row];
                int at = k - 1;
                while (at > 0 && largest[at - 1] < value)
                {
                    largest[at] = largest[at - 1];
                    at--;
                }

                largest[at] = value;
            }

            from = row + 1;
        }

        return largest[k - 1];
    }

    /// <summary>The first index from <paramref name="from"/> whose value exceeds <paramref name="limit"/> (or equals it, if <paramref name="orEqual"/>), or -1.</summary>
    private static int Next(ReadOnlySpan<float> values, int from, float limit, bool orEqual)
    {
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            Vector256<float> bound = Vector256.Create(limit);
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                Vector256<float> chunk = Vector256.LoadUnsafe(ref start, (nuint)i);
                uint found = (orEqual ? Vector256.GreaterThanOrEqual(chunk, bound) : Vector256.GreaterThan(chunk, bound)).ExtractMostSignificantBits();
                if (found != 0)
                {
                    return i + BitOperations.TrailingZeroCount(found);
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (values[i] > limit || (orEqual && values[i] == limit))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Inserts into a small top-k sorted by descending score; an equal score does not displace an earlier row (also the adaptive model's nearest regions and the CLI's kNN).</summary>
    internal static void Offer(float similarity, int row, Span<float> topScores, Span<int> topRows)
    {
        int k = topScores.Length;
        if (similarity <= topScores[k - 1])
        {
            return;
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
