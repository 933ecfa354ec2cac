namespace LlmRouting.Caching;

/// <summary>Stores request embeddings with their answers and finds the nearest one in a scope; in memory by default, a vector database can replace it.</summary>
/// <remarks>Implementations must be thread-safe, must never return an entry of another scope, and must not return expired entries.</remarks>
public interface ISemanticCacheIndex
{
    /// <summary>Finds the stored request most similar to <paramref name="vector"/> in <paramref name="scope"/>.</summary>
    /// <param name="scope">The tenant and partition to search.</param>
    /// <param name="vector">The query embedding (any length; normalised by the index).</param>
    /// <param name="minSimilarity">The lowest cosine similarity worth returning.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The nearest live entry at or above <paramref name="minSimilarity"/>, or <see langword="null"/>.</returns>
    ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheScope scope, ReadOnlyMemory<float> vector, float minSimilarity, CancellationToken cancellationToken = default);

    /// <summary>Stores an entry under <paramref name="vector"/> in <paramref name="scope"/>, evicting if the index is full.</summary>
    /// <param name="scope">The tenant and partition.</param>
    /// <param name="vector">The request embedding.</param>
    /// <param name="entry">The answer.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the entry is stored.</returns>
    ValueTask AddAsync(SemanticCacheScope scope, ReadOnlyMemory<float> vector, SemanticCacheEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry of a tenant (all its partitions).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of entries removed.</returns>
    ValueTask<int> RemoveTenantAsync(string tenant, CancellationToken cancellationToken = default);
}
