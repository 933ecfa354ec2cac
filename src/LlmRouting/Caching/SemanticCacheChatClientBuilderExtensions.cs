using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Analysis;
using LlmRouting.Configuration;
using LlmRouting.Embeddings;
using LlmRouting.Filtering;

namespace LlmRouting.Caching;

/// <summary>Adds the semantic cache to a chat pipeline.</summary>
public static class SemanticCacheChatClientBuilderExtensions
{
    /// <summary>Adds a <see cref="SemanticCacheChatClient"/>: paraphrases of an answered question are served from memory.</summary>
    /// <param name="builder">The pipeline builder (e.g. the one <c>AddLlmRouter</c> returns: the cache then sits in front of the router and a hit skips routing).</param>
    /// <param name="embeddingGenerator">Embeds requests; the default is the <see cref="LocalEmbeddingGenerator"/>.</param>
    /// <param name="configure">Changes the settings.</param>
    /// <returns>The builder.</returns>
    /// <remarks>An <see cref="ISemanticCacheIndex"/> registered in the container replaces the in-memory index; a registered <see cref="TimeProvider"/> drives expiry; the <see cref="SensitivityPolicy"/> of <c>UseDataPolicy</c> (else <see cref="SensitivityPolicy.Default"/>) decides which requests are cached only per user.</remarks>
    public static ChatClientBuilder UseSemanticCache(
        this ChatClientBuilder builder, IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null, Action<SemanticCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SemanticCacheOptions();
        configure?.Invoke(options);
        OptionsValidation.ThrowIfInvalid(options, "SemanticCache");
        return builder.Use((inner, services) => new SemanticCacheChatClient(
            inner,
            embeddingGenerator,
            services.GetService<ISemanticCacheIndex>(),
            options,
            services.GetService<TimeProvider>(),
            services.GetService<CacheMetrics>() ?? (services.GetService<IMeterFactory>() is { } meters ? new CacheMetrics(meters) : null),
            services.GetService<SensitivityPolicy>(),
            services.GetService<IRequestAnalyzer>()));
    }
}
