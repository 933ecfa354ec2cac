namespace LlmRouting.Caching;

/// <summary>The nearest stored request in a scope and its cosine similarity to the query.</summary>
/// <param name="Entry">The stored entry.</param>
/// <param name="Similarity">The cosine similarity, from -1 to 1.</param>
public readonly record struct SemanticCacheMatch(SemanticCacheEntry Entry, float Similarity);
