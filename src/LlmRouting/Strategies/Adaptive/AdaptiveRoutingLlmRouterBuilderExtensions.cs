using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Adds the adaptive strategy to the router.</summary>
public static class AdaptiveRoutingLlmRouterBuilderExtensions
{
    /// <summary>Appends an <see cref="AdaptiveRoutingStrategy"/> (name <c>adaptive</c>) to the chain.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the model file, threshold and targets.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The model file is loaded when the router is built; a missing or invalid file fails there with a message naming it. The strategy is a singleton of the container (resolve <see cref="AdaptiveRoutingStrategy"/>), so a model swapped in with <see cref="AdaptiveRoutingStrategy.ReplaceModel"/> survives reloads.</remarks>
    public static LlmRouterBuilder UseAdaptiveRouting(this LlmRouterBuilder builder, Action<AdaptiveRoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AdaptiveRoutingOptions();
        configure?.Invoke(options);
        options.Validate();
        builder.Services.TryAddSingleton(_ => new AdaptiveRoutingStrategy(options.ModelPath is { Length: > 0 } path ? AdaptiveModelFile.Load(path) : null, options));
        return builder.UseStrategy(AdaptiveRoutingStrategy.StrategyName, static (sp, _) => sp.GetRequiredService<AdaptiveRoutingStrategy>());
    }
}
