using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Configuration;
using LlmRouting.Embeddings;
using LlmRouting.Filtering;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Adds the embedding (semantic) strategy to a router.</summary>
public static class EmbeddingRoutingLlmRouterBuilderExtensions
{
    /// <summary>Routes by similarity to example utterances; abstains below the threshold so the next strategy decides.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Adds routes and sets threshold, top-k and aggregation.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The embedding generator is, in order: <see cref="EmbeddingRoutingOptions.Generator"/>, an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> registered in DI, the built-in <see cref="LocalEmbeddingGenerator"/>.</remarks>
    public static LlmRouterBuilder UseEmbeddingRoutes(this LlmRouterBuilder builder, Action<EmbeddingRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new EmbeddingRoutingOptions();
        configure(options);
        builder.ValidateOnBuild(options, EmbeddingRoutingStrategy.OptionsPath);
        EmbeddingRoutingStrategy? shared = null;
        return builder.UseStrategy(EmbeddingRoutingStrategy.StrategyName, Create, "UseEmbeddingRoutes");

        IRoutingStrategy Create(IServiceProvider sp, LlmRoutingOptions o)
        {
            foreach (EmbeddingRoute route in options.Routes)
            {
                if (o.FindTarget(route.Target) is null)
                {
                    throw new ArgumentException($"Embedding route '{route.Name}' names target '{route.Target}', which is not a configured target (known targets: {string.Join(", ", o.Targets.Select(t => t.Name))}).", nameof(configure));
                }
            }

            // One strategy (and one embedded index) for the router's lifetime, across configuration reloads.
            return shared ??= new EmbeddingRoutingStrategy(options, options.Generator ?? sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>(), sp.GetService<SensitivityPolicy>());
        }
    }
}
