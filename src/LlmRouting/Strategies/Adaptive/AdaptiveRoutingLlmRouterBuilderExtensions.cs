using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Adds the adaptive strategy to the router.</summary>
public static class AdaptiveRoutingLlmRouterBuilderExtensions
{
    private const string Section = "Adaptive";

    /// <summary>Appends an <see cref="AdaptiveRoutingStrategy"/> (name <c>adaptive</c>) to the chain.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the model file, threshold and targets, over what <c>LlmRouting:Adaptive</c> configures.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The settings are read from the router's <c>Adaptive</c> section (<c>LlmRouting:Adaptive</c>, checked strictly),
    /// then <paramref name="configure"/> applies; settings made in code are checked here, the bound ones when the router is
    /// built. The model file is loaded when the router is built; a missing or invalid file fails there with a message naming
    /// it. The strategy is a singleton of the container (resolve <see cref="AdaptiveRoutingStrategy"/>), so a model swapped
    /// in with <see cref="AdaptiveRoutingStrategy.ReplaceModel"/> survives reloads.
    /// </remarks>
    public static LlmRouterBuilder UseAdaptiveRouting(this LlmRouterBuilder builder, Action<AdaptiveRoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            var inCode = new AdaptiveRoutingOptions();
            configure(inCode);
            inCode.Validate();
        }

        builder.ClaimSection<AdaptiveRoutingOptions>(Section);
        builder.Services.TryAddSingleton(sp =>
        {
            AdaptiveRoutingOptions options = ConfigurationValues.Bind(builder.SectionOf(sp, Section), new AdaptiveRoutingOptions());
            configure?.Invoke(options);
            options.Validate();
            return new AdaptiveRoutingStrategy(options.ModelPath is { Length: > 0 } path ? AdaptiveModelFile.Load(path) : null, options);
        });
        return builder.UseStrategy(AdaptiveRoutingStrategy.StrategyName, static (sp, _) => sp.GetRequiredService<AdaptiveRoutingStrategy>());
    }
}
