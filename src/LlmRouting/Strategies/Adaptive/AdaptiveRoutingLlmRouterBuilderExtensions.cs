using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
    /// built. The model file is loaded when the router is built, and the targets are checked against the router's at every
    /// build (start-up and reload): a missing or invalid file, or a target that is not configured, fails with the same
    /// message as the configured <c>adaptive</c> strategy, naming the field. The strategy is a singleton of the container
    /// (resolve <see cref="AdaptiveRoutingStrategy"/>), so a model swapped in with
    /// <see cref="AdaptiveRoutingStrategy.ReplaceModel"/> survives reloads.
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
            return Create(options);
        });
        return builder.UseStrategy(AdaptiveRoutingStrategy.StrategyName, static (sp, routing) => RequireTargets(sp.GetRequiredService<AdaptiveRoutingStrategy>(), routing));
    }

    /// <summary>The adaptive strategy of <paramref name="options"/> (for <c>UseAdaptiveRouting</c> and the configured <c>adaptive</c> alike): the options checked, the model file loaded.</summary>
    /// <exception cref="OptionsValidationException">An option is out of range, or the model file cannot be loaded (naming <c>LlmRouting:Adaptive:ModelPath</c>).</exception>
    internal static AdaptiveRoutingStrategy Create(AdaptiveRoutingOptions options)
    {
        options.Validate();
        AdaptiveModel? model = null;
        if (options.ModelPath is { Length: > 0 } path)
        {
            try
            {
                model = AdaptiveModelFile.Load(path);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new OptionsValidationException(AdaptiveRoutingOptions.SectionName, typeof(AdaptiveRoutingOptions), [$"{AdaptiveRoutingOptions.SectionName}:ModelPath cannot be loaded: {e.Message}"]);
            }
        }

        return new AdaptiveRoutingStrategy(model, options);
    }

    /// <summary>Checks that the targets <paramref name="strategy"/> names are the router's (run at every build, so a reload that drops one is refused).</summary>
    /// <returns>The strategy.</returns>
    /// <exception cref="OptionsValidationException">A target is not configured (naming <c>LlmRouting:Adaptive:PremiumTarget</c> or <c>EconomyTarget</c>).</exception>
    internal static AdaptiveRoutingStrategy RequireTargets(AdaptiveRoutingStrategy strategy, LlmRoutingOptions routing)
    {
        foreach ((string? target, string field) in new[] { (strategy.PremiumTarget, "PremiumTarget"), (strategy.EconomyTarget, "EconomyTarget") })
        {
            if (target is not null)
            {
                StrategyChain.RequireTarget(routing, target, $"{AdaptiveRoutingOptions.SectionName}:{field}");
            }
        }

        return strategy;
    }
}
