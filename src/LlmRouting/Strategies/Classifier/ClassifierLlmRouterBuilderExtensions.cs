using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Adds the classifier strategy to the router.</summary>
public static class ClassifierLlmRouterBuilderExtensions
{
    /// <summary>Appends the classifier strategy (name <c>classifier</c>) to the chain.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Refines the options bound from <c>LlmRouting:Classifier</c>: model path, threshold, targets.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The model file and target names are checked when the router is built (at start-up and on each reload):
    /// a missing or invalid model file, or a target name that is not configured, fails with a message naming it.
    /// </remarks>
    public static LlmRouterBuilder UseClassifier(this LlmRouterBuilder builder, Action<ClassifierOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<ClassifierOptions> options = builder.Services.AddOptions<ClassifierOptions>();
        // Claimed, not re-checked by the router: binding ClassifierOptions (validated on start) reports its own failures.
        builder.ClaimedSections.Add("Classifier");
        options.Configure<IServiceProvider>((o, sp) => ConfigurationValues.Bind(builder.SectionOf(sp, "Classifier"), o));
        OptionsValidation.AddValidation<ClassifierOptions>(builder.Services, ClassifierOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.UseStrategy(
            ClassifierStrategy.StrategyName,
            (sp, routing) => Create(sp.GetRequiredService<IOptionsMonitor<ClassifierOptions>>().CurrentValue, routing),
            "UseClassifier");
    }

    internal static ClassifierStrategy Create(ClassifierOptions options, LlmRoutingOptions routing)
    {
        const string Section = ClassifierOptions.SectionName;
        ClassifierModel? model = options.ModelPath is { Length: > 0 } path ? ClassifierModel.Load(path) : options.UseShippedModel ? ClassifierModel.Default : null;
        List<ClassifierThreshold> bands;
        if (options.Thresholds.Count > 0)
        {
            bands = [.. options.Thresholds];
            for (int i = 0; i < bands.Count; i++)
            {
                RequireTarget(routing, bands[i].Target, $"{Section}:Thresholds[{i}]:Target");
            }
        }
        else
        {
            if (options.Threshold is < 0 or > 1 || double.IsNaN(options.Threshold))
            {
                throw new OptionsValidationException(Section, typeof(ClassifierOptions), [$"{Section}:Threshold must be in [0, 1] (was {options.Threshold})."]);
            }

            string premium = options.PremiumTarget ?? FirstOfTier(routing, QualityTier.Premium, $"{Section}:PremiumTarget");
            string economy = options.EconomyTarget ?? FirstOfTier(routing, QualityTier.Economy, $"{Section}:EconomyTarget");
            RequireTarget(routing, premium, $"{Section}:PremiumTarget");
            RequireTarget(routing, economy, $"{Section}:EconomyTarget");
            bands = [new() { Target = economy, MinScore = 0 }, new() { Target = premium, MinScore = options.Threshold }];
        }

        try
        {
            return new ClassifierStrategy(model, bands);
        }
        catch (ArgumentException e)
        {
            throw new OptionsValidationException(Section, typeof(ClassifierOptions), [$"{Section}: {e.Message}"]);
        }
    }

    private static string FirstOfTier(LlmRoutingOptions routing, QualityTier tier, string field) =>
        routing.Targets.FirstOrDefault(t => t.Tier == tier)?.Name
        ?? throw new OptionsValidationException(ClassifierOptions.SectionName, typeof(ClassifierOptions), [$"{field} is not set and no target has tier {tier}."]);

    private static void RequireTarget(LlmRoutingOptions routing, string? name, string field)
    {
        if (string.IsNullOrWhiteSpace(name) || routing.FindTarget(name) is null)
        {
            throw new OptionsValidationException(ClassifierOptions.SectionName, typeof(ClassifierOptions), [$"{field} '{name}' is not a configured target."]);
        }
    }
}
