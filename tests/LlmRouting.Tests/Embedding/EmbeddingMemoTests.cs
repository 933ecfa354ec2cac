using LlmRouting.Embeddings;
using LlmRouting.Tests.Embedding.Reference;

namespace LlmRouting.Tests.Embedding;

/// <summary>
/// The local embedder remembers the last text it embedded on a thread at each vector size: generators of two sizes in one
/// request (the embedding strategy or the semantic cache at 256 dimensions, the adaptive router at 4 096) each keep their
/// memo, never serve each other's vector, and make no new one per switch.
/// </summary>
public sealed class EmbeddingMemoTests
{
    private const string Turn = "Could you look at why the quarterly revenue report for our customers shows a drop, and suggest what to check next?";
    private const string Other = "Please explain how our shipping schedule for large orders changed this month.";

    [Fact]
    public void GeneratorsOfTwoSizesInTurn_EachGiveTheirOwnVector()
    {
        var small = new LocalEmbeddingGenerator(256);
        var large = new LocalEmbeddingGenerator(4096);
        (LocalEmbeddingGenerator Generator, string Text)[] calls =
            [(small, Turn), (large, Turn), (small, Turn), (large, Turn), (small, Other), (large, Turn), (small, Turn), (large, Other), (large, Other)];
        foreach ((LocalEmbeddingGenerator generator, string text) in calls)
        {
            Assert.Equal(ReferenceEmbedder.Embed(text, generator.Dimensions), generator.Embed(text));
        }
    }

    [Fact]
    public void TheSameTurnEmbeddedAtTwoSizesInTurn_AllocatesNothingOnceWarm()
    {
        var small = new LocalEmbeddingGenerator(256);
        var large = new LocalEmbeddingGenerator(4096);
        float[] smallVector = new float[small.Dimensions], largeVector = new float[large.Dimensions];
        void Request(string text)
        {
            small.Embed(text, smallVector);
            large.Embed(text, largeVector);
            small.Embed(text, smallVector);
        }

        for (int i = 0; i < 100; i++)
        {
            Request(i % 2 == 0 ? Turn : Other);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Request(i % 2 == 0 ? Turn : Other);
        }

        // Before the memo was kept per size, every switch of size dropped it and allocated a new vector (1 KB or 16 KB).
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(ReferenceEmbedder.Embed(Other, 4096), largeVector);
    }
}
