using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Filtering;

namespace LlmRouting.Strategies;

/// <summary>The hybrid pipeline's stage options: each stage's configuration section, then the code changes; built once at start-up.</summary>
internal sealed class HybridStageOptions
{
    /// <summary>The sub-sections of the router's section the stages read.</summary>
    public static readonly string[] SectionKeys = ["Hybrid", "DataPolicy", "Embedding", "CostAware", "Judge"];

    /// <summary>Binds each stage's section (strictly; failures are kept for start-up validation), then applies the code changes.</summary>
    /// <param name="builder">The stages configured in code.</param>
    /// <param name="section">The router's section (<c>LlmRouting</c>), or <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">A stage's options are invalid.</exception>
    public HybridStageOptions(HybridRoutingBuilder builder, IConfiguration? section)
    {
        Stages = Build(section, "Hybrid", new HybridRoutingOptions(), builder.StageActions);
        DataPolicy = Build(section, "DataPolicy", new DataPolicyOptions(), builder.DataPolicyActions);
        Embedding = Build(section, "Embedding", new EmbeddingRoutingOptions(), builder.EmbeddingActions);
        CostAware = Build(section, "CostAware", new CostAwareOptions(), builder.CostAwareActions);
        Judge = Build(section, "Judge", new JudgeOptions(), builder.JudgeActions);
        if (BindingFailures.Count == 0)
        {
            List<string> failures = [.. OptionsValidation.Validate(Embedding, $"{LlmRoutingOptions.SectionName}:Embedding"), .. OptionsValidation.Validate(CostAware, $"{LlmRoutingOptions.SectionName}:CostAware")];
            if (failures.Count > 0)
            {
                throw new OptionsValidationException(LlmRoutingOptions.SectionName, typeof(LlmRoutingOptions), failures);
            }
        }

        Policy = DataPolicy.AllowedTargetTags.Count > 0 ? new DataPolicyFilter(DataPolicy) : null;
    }

    /// <summary>Gets the failures of binding the stage sections.</summary>
    public List<string> BindingFailures { get; } = [];

    public HybridRoutingOptions Stages { get; }

    public DataPolicyOptions DataPolicy { get; }

    /// <summary>Gets the data-policy filter, or <see langword="null"/> when no allowed target tag is configured.</summary>
    public DataPolicyFilter? Policy { get; }

    public EmbeddingRoutingOptions Embedding { get; }

    public CostAwareOptions CostAware { get; }

    public JudgeOptions Judge { get; }

    /// <summary>Gets the stage names for the chain, in order, given the registered strategies.</summary>
    public List<string> Chain(LlmRoutingOptions options, ICollection<string> registered)
    {
        var chain = new List<string>(4);
        if (options.Rules.Count > 0)
        {
            chain.Add(RuleStrategy.StrategyName);
        }

        if (Stages.PreferClassifier && registered.Contains(HybridRoutingLlmRouterBuilderExtensions.ClassifierStrategyName))
        {
            chain.Add(HybridRoutingLlmRouterBuilderExtensions.ClassifierStrategyName);
        }
        else if (Embedding.Routes.Count > 0)
        {
            chain.Add(EmbeddingRoutingStrategy.StrategyName);
        }

        if (Stages.Judge)
        {
            chain.Add(JudgeStrategy.StrategyName);
        }

        if (Stages.CostAware)
        {
            chain.Add(CostAwareStrategy.StrategyName);
        }

        return chain;
    }

    private T Build<T>(IConfiguration? section, string name, T options, List<Action<T>> actions)
        where T : class
    {
        if (section?.GetSection(name) is { } found && found.Exists())
        {
            ConfigurationValues.BindObject(found, options, found.Path, BindingFailures, ignored: null);
        }

        foreach (Action<T> action in actions)
        {
            action(options);
        }

        return options;
    }
}
