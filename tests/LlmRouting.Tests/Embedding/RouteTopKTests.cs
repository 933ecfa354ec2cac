using LlmRouting.Embeddings;
using LlmRouting.Strategies;
using LlmRouting.Tests.Embedding.Reference;

namespace LlmRouting.Tests.Embedding;

/// <summary>
/// The quantised first pass with exact re-scoring (<see cref="RouteTopK"/>, <see cref="QuantizedRouteMatrix"/>) votes
/// with exactly the rows and float scores of the full float pass it replaced (<see cref="ReferenceRouteScoring"/>), on
/// generated route sets and prompts: the local embedder's vectors and dense random ones, duplicate utterances (ties),
/// prompts equal to an utterance, eligibility masks, every k.
/// </summary>
public sealed class RouteTopKTests
{
    private static readonly string[] Vocabulary =
    [
        "refactor", "service", "invoice", "database", "query", "translate", "summarise", "contract", "payment", "refund", "kubernetes", "deploy",
        "latency", "customer", "order", "shipping", "password", "account", "report", "quarterly", "revenue", "forecast", "theorem", "prove",
        "integral", "poem", "story", "email", "schedule", "meeting", "error", "exception", "stack", "trace", "memory", "leak", "the", "please",
    ];

    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void LocalEmbeddings_VoteLikeTheFullFloatPass(int seed)
    {
        var random = new Random(seed);
        long exact = 0, total = 0;
        for (int set = 0; set < 12; set++)
        {
            int dimensions = random.Next(3) == 0 ? 1024 : 256;
            var embedder = new LocalEmbeddingGenerator(dimensions);
            int routes = random.Next(8, 80);
            int perRoute = random.Next(1, 12);
            var utterances = new List<string>();
            var rowRoute = new List<int>();
            for (int r = 0; r < routes; r++)
            {
                for (int u = 0; u < perRoute; u++)
                {
                    // Some utterances repeat an earlier one exactly: equal scores, where the earlier row must win.
                    utterances.Add(utterances.Count > 0 && random.Next(10) == 0 ? utterances[random.Next(utterances.Count)] : Sentence(random, random.Next(3, 14)));
                    rowRoute.Add(r);
                }
            }

            float[] matrix = [.. utterances.SelectMany(u => embedder.Embed(u))];
            for (int n = 0; n < 60; n++)
            {
                string prompt = random.Next(5) == 0 ? utterances[random.Next(utterances.Count)] : Sentence(random, random.Next(1, 200));
                (long e, long t) = Compare(matrix, [.. rowRoute], routes, embedder.Embed(prompt), random, $"seed {seed}, set {set}, prompt {n}");
                exact += e;
                total += t;
            }
        }

        // The first pass must rule out most rows, or it proves nothing beyond the full pass (without an integer kernel every row is scored).
        if (QuantizedRouteMatrix.Kernel is null)
        {
            Assert.Equal(total, exact);
        }
        else
        {
            Assert.True(exact * 2 < total, $"{exact} of {total} rows were scored exactly");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EveryKernel_GivesSimilaritiesWithinTheirBounds(int seed)
    {
        var random = new Random(seed);
        DotKernel[] kernels = [.. new[] { DotKernel.Vnni, DotKernel.Avx2 }.Where(k => k == DotKernel.Vnni ? System.Runtime.Intrinsics.X86.AvxVnni.IsSupported : System.Runtime.Intrinsics.X86.Avx2.IsSupported)];
        for (int set = 0; set < 10; set++)
        {
            int dimensions = 32 * random.Next(1, 40);
            int rows = random.Next(QuantizedRouteMatrix.MinRows, 300);
            float[] matrix = new float[rows * dimensions];
            float[] query = new float[dimensions];
            if (set < 2)
            {
                // Every value at its extreme: the AVX2 kernel's 16-bit sums of two steps are at their largest, ±2 · 2 · 127 · 63 (rows stored as 127).
                matrix.AsSpan().Fill(1f);
                query.AsSpan().Fill(set == 0 ? 1f : -1f);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    Random(random, matrix.AsSpan(r * dimensions, dimensions));
                }

                Random(random, query);
            }

            Assert.True(kernels.Length > 0 == QuantizedRouteMatrix.Create(matrix, rows, dimensions) is not null, $"set {set}: {kernels.Length} kernels");
            foreach (DotKernel kernel in kernels)
            {
                // Each kernel stores the rows its own way (AVX2: 7-bit rows offset by 64, 6-bit queries), so each has its own bounds.
                QuantizedRouteMatrix quantized = QuantizedRouteMatrix.Create(matrix, rows, dimensions, kernel)!;
                float[] similarities = new float[rows], bounds = new float[rows];
                Assert.True(quantized.Approximate(query, similarities, bounds));
                for (int r = 0; r < rows; r++)
                {
                    double exact = 0;
                    for (int d = 0; d < dimensions; d++)
                    {
                        exact += (double)matrix[(r * dimensions) + d] * query[d];
                    }

                    Assert.True(Math.Abs(exact - similarities[r]) <= bounds[r], $"seed {seed}, set {set}, {kernel}, row {r}: {similarities[r]:R} ± {bounds[r]:R}, exact {exact:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DenseRandomVectors_VoteLikeTheFullFloatPass(int seed)
    {
        // Another generator's vectors: dense, any sign, normalised by the strategy.
        var random = new Random(seed);
        for (int set = 0; set < 8; set++)
        {
            int dimensions = 16 * random.Next(1, 100);
            int rows = random.Next(QuantizedRouteMatrix.MinRows, 600);
            int routes = random.Next(1, rows);
            int[] rowRoute = [.. Enumerable.Range(0, rows).Select(_ => random.Next(routes))];
            float[] matrix = new float[rows * dimensions];
            for (int r = 0; r < rows; r++)
            {
                Random(random, matrix.AsSpan(r * dimensions, dimensions));
            }

            for (int n = 0; n < 40; n++)
            {
                float[] query = new float[dimensions];
                if (random.Next(4) == 0)
                {
                    // Close to a row: the bound matters most where scores crowd the top.
                    matrix.AsSpan(random.Next(rows) * dimensions, dimensions).CopyTo(query);
                    query[random.Next(dimensions)] += 0.01f;
                    Normalize(query);
                }
                else if (random.Next(10) != 0)
                {
                    Random(random, query);
                }

                _ = Compare(matrix, rowRoute, routes, query, random, $"seed {seed}, set {set}, query {n}");
            }
        }
    }

    private static (long Exact, long Total) Compare(float[] matrix, int[] rowRoute, int routes, float[] query, Random random, string what)
    {
        QuantizedRouteMatrix? quantized = QuantizedRouteMatrix.Create(matrix, rowRoute.Length, query.Length);
        bool quantizable = QuantizedRouteMatrix.Kernel is not null && rowRoute.Length >= QuantizedRouteMatrix.MinRows && query.Length % 32 == 0;
        Assert.True(quantizable == quantized is not null, what);
        bool[] eligible = random.Next(3) == 0 ? [] : [.. Enumerable.Range(0, routes).Select(_ => random.Next(4) != 0)];
        int k = new[] { 1, 2, 3, 5, 10, 40 }[random.Next(6)];
        k = Math.Min(k, rowRoute.Length);
        float[] expectedScores = new float[k], actualScores = new float[k];
        int[] expectedRows = new int[k], actualRows = new int[k];
        ReferenceRouteScoring.TopK(matrix, rowRoute, query, eligible, expectedScores, expectedRows);
        int exact = RouteTopK.Find(matrix, quantized, rowRoute, query, eligible, actualScores, actualRows);
        for (int i = 0; i < k; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expectedScores[i]) == BitConverter.SingleToInt32Bits(actualScores[i]), $"{what}, k {k}, slot {i}: {actualScores[i]:R}, the reference gives {expectedScores[i]:R}");
            if (!float.IsNegativeInfinity(expectedScores[i]))
            {
                Assert.True(expectedRows[i] == actualRows[i], $"{what}, k {k}, slot {i}: row {actualRows[i]}, the reference gives {expectedRows[i]}");
            }
        }

        return (exact, rowRoute.Length);
    }

    private static string Sentence(Random random, int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));

    private static void Random(Random random, Span<float> vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1) * (random.Next(8) == 0 ? 4 : 1);
        }

        Normalize(vector);
    }

    private static void Normalize(Span<float> vector)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
    }
}
