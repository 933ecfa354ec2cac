using System.Numerics.Tensors;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>
/// The adaptive model's pass over a request's non-zero dimensions (<see cref="CentroidMatrix"/>) gives every region's dot
/// product with the request up to the rounding of the summation order, for sparse and dense requests, any number of
/// regions (including past a block of 32) and any dimensions; and the model's nearest regions follow it.
/// </summary>
public sealed class CentroidMatrixTests
{
    [Fact]
    public void Similarities_AreTheDotProducts_ForSparseAndDenseRequests()
    {
        var random = new Random(5);
        foreach ((int regions, int dimensions) in new[] { (1, 32), (5, 256), (31, 100), (32, 256), (33, 4096), (57, 4096), (70, 1000) })
        {
            float[] centroids = [.. Enumerable.Range(0, regions * dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            var matrix = new CentroidMatrix(centroids, regions, dimensions);
            foreach (double density in new[] { 0.0, 0.001, 0.05, 0.3, 1.0 })
            {
                float[] embedding = [.. Enumerable.Range(0, dimensions).Select(_ => random.NextDouble() < density ? (float)((random.NextDouble() * 2) - 1) : 0f)];
                float[] similarities = new float[regions];
                matrix.Similarities(embedding, similarities);
                for (int r = 0; r < regions; r++)
                {
                    ReadOnlySpan<float> centroid = centroids.AsSpan(r * dimensions, dimensions);
                    float expected = TensorPrimitives.Dot(embedding, centroid);
                    float scale = TensorPrimitives.Norm(embedding) * TensorPrimitives.Norm(centroid);
                    Assert.True(Math.Abs(similarities[r] - expected) <= (1e-6f * scale) + 1e-30f, $"{regions} × {dimensions}, density {density}, region {r}: {similarities[r]} vs {expected}");
                }
            }
        }
    }

    [Fact]
    public void TheModelsNearestRegion_IsTheRegionOfTheLargestDotProduct()
    {
        var embedder = new LocalEmbeddingGenerator(256);
        string[] topics = ["orbital mechanics of a satellite", "recipe for tomato soup", "contract law and liability", "python list comprehension", "migration of birds in autumn"];
        float[] centroids = [.. topics.SelectMany(t => embedder.Embed(t))];
        var parameters = new AdaptiveModelParameters("nearest", 256, 0.5, 0.2, 1, 1, 0.02, 0, 0, null, new Dictionary<string, string>());
        var model = new AdaptiveModel(parameters, [], centroids, [.. topics.Select(_ => new AdaptiveRegion(10, 3, 2, 1))]);
        for (int t = 0; t < topics.Length; t++)
        {
            Assert.Equal(t, model.NearestRegion(embedder.Embed(topics[t] + " and a little more")));
        }

        Assert.Equal(-1, AdaptiveModel.Empty.NearestRegion(new float[AdaptiveModel.Empty.Dimensions]));
    }

    [Fact]
    public void WrongSizes_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new CentroidMatrix(new float[10], 2, 4));
        var matrix = new CentroidMatrix(new float[8], 2, 4);
        Assert.Throws<ArgumentException>(() => matrix.Similarities(new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() => matrix.Similarities(new float[4], new float[1]));

        // A model is checked when it is built (the matrix is made with it, off the request path).
        var parameters = new AdaptiveModelParameters("sizes", 32, 0.5, 0.2, 1, 1, 0.02, 0, 0, null, new Dictionary<string, string>());
        Assert.Throws<ArgumentException>(() => new AdaptiveModel(parameters, [], new float[40], [default, default]));
    }
}
