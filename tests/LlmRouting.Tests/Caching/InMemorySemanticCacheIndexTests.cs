using Microsoft.Extensions.Time.Testing;
using LlmRouting.Caching;
using LlmRouting.Resilience;

namespace LlmRouting.Tests.Caching;

public class InMemorySemanticCacheIndexTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ConcurrentInsertsAndLookups_StayInScope_AndWithinCapacity()
    {
        using var index = new InMemorySemanticCacheIndex(maxEntries: 500, _time);
        var scopes = Enumerable.Range(0, 8).Select(i => new SemanticCacheScope($"tenant-{i % 4}", $"p{i / 4}")).ToArray();
        DateTimeOffset expires = _time.GetUtcNow().AddHours(1);
        int found = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 400; i++)
            {
                SemanticCacheScope scope = scopes[random.Next(scopes.Length)];
                float[] vector = RandomVector(random, 64);
                if (random.Next(2) == 0)
                {
                    await index.AddAsync(scope, vector, new SemanticCacheEntry(new byte[] { 1 }, $"{scope.Tenant}/{scope.Partition}", expires));
                }
                else if (await index.FindNearestAsync(scope, vector, -1f) is { } match)
                {
                    Assert.Equal($"{scope.Tenant}/{scope.Partition}", match.Entry.Target);
                    Interlocked.Increment(ref found);
                }
            }
        })));

        Assert.InRange(index.Count, 1, 500);
        Assert.True(found > 0);
    }

    [Fact]
    public void FindsTheExactNearestNeighbour()
    {
        using var index = new InMemorySemanticCacheIndex(timeProvider: _time);
        var scope = new SemanticCacheScope("t", "p");
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 300).Select(_ => RandomVector(random, 32)).ToArray();
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add(scope, vectors[i], new SemanticCacheEntry(Array.Empty<byte>(), i.ToString(System.Globalization.CultureInfo.InvariantCulture), _time.GetUtcNow().AddHours(1)));
        }

        float[] query = RandomVector(random, 32);
        int expected = Enumerable.Range(0, vectors.Length).MaxBy(i => Cosine(vectors[i], query));

        SemanticCacheMatch match = index.FindNearest(scope, query, -1f)!.Value;

        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), match.Entry.Target);
        Assert.Equal(Cosine(vectors[expected], query), match.Similarity, 4);
        Assert.Null(index.FindNearest(scope, query, match.Similarity + 0.001f));
        Assert.Null(index.FindNearest(new SemanticCacheScope("other", "p"), query, -1f));
    }

    [Fact]
    public void SignaturePrefilter_NeverMissesAnEntryAtOrAboveTheThreshold()
    {
        // Queries at cosine 0.90–0.97 to a stored vector among 3 000: the answer must equal exact brute force.
        using var index = new InMemorySemanticCacheIndex(maxEntries: 3_000, timeProvider: _time);
        var scope = new SemanticCacheScope("t", "p");
        var random = new Random(11);
        float[][] stored = [.. Enumerable.Range(0, 3_000).Select(_ => RandomVector(random, 256))];
        for (int i = 0; i < stored.Length; i++)
        {
            index.Add(scope, stored[i], new SemanticCacheEntry(Array.Empty<byte>(), i.ToString(System.Globalization.CultureInfo.InvariantCulture), _time.GetUtcNow().AddHours(1)));
        }

        int hits = 0;
        for (int q = 0; q < 300; q++)
        {
            float[] target = stored[random.Next(stored.Length)];
            float[] query = Perturb(random, target, noise: 0.25f + (float)random.NextDouble() * 0.25f);
            int best = Enumerable.Range(0, stored.Length).MaxBy(i => Cosine(stored[i], query));
            float bestSimilarity = Cosine(stored[best], query);

            SemanticCacheMatch? match = index.FindNearest(scope, query, 0.92f);

            if (bestSimilarity >= 0.92f)
            {
                hits++;
                Assert.Equal(best.ToString(System.Globalization.CultureInfo.InvariantCulture), match!.Value.Entry.Target);
            }
            else
            {
                Assert.Null(match);
            }
        }

        Assert.InRange(hits, 30, 270);
    }

    [Theory]
    [InlineData(-1f, 256)]
    [InlineData(0f, 256)]
    [InlineData(0.92f, 67)]
    [InlineData(1f, 2)]
    public void HammingCutoff_FollowsTheThreshold(float threshold, int expected) =>
        Assert.Equal(expected, InMemorySemanticCacheIndex.HammingCutoff(threshold));

    [Fact]
    public async Task RemoveTenant_RemovesAllItsPartitions_Only()
    {
        using var index = new InMemorySemanticCacheIndex(timeProvider: _time);
        float[] v = [1, 0, 0, 0];
        DateTimeOffset expires = _time.GetUtcNow().AddHours(1);
        index.Add(new("a", "1"), v, new SemanticCacheEntry(Array.Empty<byte>(), "a1", expires));
        index.Add(new("a", "2"), v, new SemanticCacheEntry(Array.Empty<byte>(), "a2", expires));
        index.Add(new("b", "1"), v, new SemanticCacheEntry(Array.Empty<byte>(), "b1", expires));

        Assert.Equal(2, await index.RemoveTenantAsync("a"));

        Assert.Null(index.FindNearest(new("a", "1"), v, 0.5f));
        Assert.Equal("b1", index.FindNearest(new("b", "1"), v, 0.5f)!.Value.Entry.Target);
        index.Add(new("a", "1"), v, new SemanticCacheEntry(Array.Empty<byte>(), "a1-again", expires));
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void BadInput_IsRejectedClearly()
    {
        using var index = new InMemorySemanticCacheIndex(timeProvider: _time);
        var entry = new SemanticCacheEntry(Array.Empty<byte>(), null, _time.GetUtcNow().AddHours(1));
        index.Add(new("t", "p"), [1f, 0f], entry);

        Assert.Throws<ArgumentException>(() => index.Add(new("t", "p"), [0f, 0f], entry));
        ArgumentException ex = Assert.Throws<ArgumentException>(() => index.Add(new("t", "p"), [1f, 0f, 0f], entry));
        Assert.StartsWith("This index holds 2-dimension vectors; got 3.", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemorySemanticCacheIndex(0));
    }

    private static float[] RandomVector(Random random, int dimensions) =>
        [.. Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1))];

    private static float[] Perturb(Random random, float[] vector, float noise)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        return [.. vector.Select(x => (x / norm) + (noise * (float)(random.NextDouble() * 2 - 1) / 8f))];
    }

    private static float Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);
}
