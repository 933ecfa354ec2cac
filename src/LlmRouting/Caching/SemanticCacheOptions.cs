using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using LlmRouting.Configuration;
using LlmRouting.Embeddings;

namespace LlmRouting.Caching;

/// <summary>Settings of the semantic cache (<see cref="SemanticCacheChatClient"/>).</summary>
public sealed class SemanticCacheOptions
{
    /// <summary>The default <see cref="SimilarityThreshold"/>.</summary>
    public const double DefaultSimilarityThreshold = 0.92;

    /// <summary>Gets or sets the lowest cosine similarity at which a cached answer is served, in (0, 1].</summary>
    /// <value>The default is 0.92: paraphrases with the same content words hit, questions differing in a content word (a number, a name) mostly miss with the built-in local embedder. Tune it per embedder.</value>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double SimilarityThreshold { get; set; } = DefaultSimilarityThreshold;

    /// <summary>Gets or sets how long an answer is served after it was stored.</summary>
    /// <value>The default is one hour.</value>
    [Positive]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the most entries the built-in in-memory index keeps (the oldest is evicted); ignored when an <see cref="ISemanticCacheIndex"/> is supplied.</summary>
    /// <value>The default is 10 000.</value>
    [Range(1, int.MaxValue)]
    public int MaxEntries { get; set; } = InMemorySemanticCacheIndex.DefaultMaxEntries;

    /// <summary>Gets or sets an extra partition: requests whose values differ never share answers (e.g. a model tier, a locale, a product).</summary>
    /// <value>
    /// The default is <see langword="null"/>. The tenant, the system prompt and earlier turns, <see cref="ChatOptions.Instructions"/>,
    /// <see cref="ChatOptions.ModelId"/>, <see cref="ChatOptions.ResponseFormat"/> and the request's <c>tier</c> metadata always partition the cache.
    /// </value>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, string?>? Partition { get; set; }

    /// <summary>Gets or sets a value indicating whether the embedding generator may receive the text of sensitive requests.</summary>
    /// <value>
    /// The default is <see langword="false"/>: sensitive requests pass through uncached unless the generator is the built-in
    /// <see cref="LocalEmbeddingGenerator"/> (local, always allowed). Set it for a generator that runs in-process or on your premises.
    /// </value>
    public bool EmbeddingGeneratorAllowsSensitiveData { get; set; }

    /// <summary>Gets or sets a value indicating whether sensitive requests are cached per user (<see langword="false"/>: never cached).</summary>
    /// <value>The default is <see langword="true"/>. A sensitive request that names no user (<c>user</c> metadata) is never cached either way.</value>
    public bool CacheSensitiveRequestsPerUser { get; set; } = true;
}
