using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting;

/// <summary>The hybrid pipeline's stage options: each stage's configuration section, then the code changes; built once at start-up.</summary>
internal sealed class HybridStageOptions
{
    public HybridStageOptions(IServiceProvider services, HybridRoutingBuilder builder)
    {
        IConfiguration? section = builder.Configuration ?? services.GetService<IConfiguration>()?.GetSection(LlmRoutingOptions.SectionName);
        Stages = Build(section, "Hybrid", new HybridRoutingOptions(), builder.StageActions);
        DataPolicy = Build(section, "DataPolicy", new DataPolicyOptions(), builder.DataPolicyActions);
        Embedding = Build(section, "Embedding", new EmbeddingRoutingOptions(), builder.EmbeddingActions);
        Embedding.Validate();
        CostAware = Build(section, "CostAware", new CostAwareOptions(), builder.CostAwareActions);
        CostAware.Validate();
        Judge = Build(section, "Judge", new JudgeOptions(), builder.JudgeActions);
        Policy = DataPolicy.AllowedTargetTags.Count > 0 ? new DataPolicyFilter(DataPolicy) : null;
    }

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

    private static T Build<T>(IConfiguration? section, string name, T options, List<Action<T>> actions)
        where T : class
    {
        if (section?.GetSection(name) is { } found && found.Exists())
        {
            found.Bind(options);
        }

        foreach (Action<T> action in actions)
        {
            action(options);
        }

        return options;
    }
}
