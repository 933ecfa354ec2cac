using Microsoft.Extensions.Configuration;
using LlmRouting.Filtering;

namespace LlmRouting.Strategies;

/// <summary>Configures the stages of the hybrid pipeline in code; each stage's configuration section is applied first.</summary>
public sealed class HybridRoutingBuilder
{
    internal HybridRoutingBuilder()
    {
    }

    /// <summary>Gets or sets the <c>LlmRouting</c> configuration section the stage sections (<c>DataPolicy</c>, <c>Embedding</c>, <c>CostAware</c>, <c>Judge</c>, <c>Hybrid</c>) are read from.</summary>
    /// <value>The default is <see langword="null"/>: the <c>LlmRouting</c> section of the application's <see cref="IConfiguration"/>, if one is registered.</value>
    public IConfiguration? Configuration { get; set; }

    internal List<Action<DataPolicyOptions>> DataPolicyActions { get; } = [];

    internal List<Action<EmbeddingRoutingOptions>> EmbeddingActions { get; } = [];

    internal List<Action<CostAwareOptions>> CostAwareActions { get; } = [];

    internal List<Action<JudgeOptions>> JudgeActions { get; } = [];

    internal List<Action<HybridRoutingOptions>> StageActions { get; } = [];

    /// <summary>Configures the data-policy guardrail: sensitive requests stay on targets with an allowed tag.</summary>
    /// <param name="configure">Sets the allowed target tags and what counts as sensitive.</param>
    /// <returns>This builder.</returns>
    public HybridRoutingBuilder DataPolicy(Action<DataPolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        DataPolicyActions.Add(configure);
        return this;
    }

    /// <summary>Configures the embedding routes (the learned stage when no classifier is registered).</summary>
    /// <param name="configure">Adds routes and sets threshold, top-k and aggregation.</param>
    /// <returns>This builder.</returns>
    public HybridRoutingBuilder EmbeddingRoutes(Action<EmbeddingRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        EmbeddingActions.Add(configure);
        return this;
    }

    /// <summary>Configures the cost-aware stage (quality table, premium threshold, budgets).</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    public HybridRoutingBuilder CostAware(Action<CostAwareOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        CostAwareActions.Add(configure);
        return this;
    }

    /// <summary>Turns on the LLM-as-judge stage and configures it.</summary>
    /// <param name="configure">Sets the judge target, choices and timeout.</param>
    /// <returns>This builder.</returns>
    public HybridRoutingBuilder Judge(Action<JudgeOptions>? configure = null)
    {
        StageActions.Add(o => o.Judge = true);
        if (configure is not null)
        {
            JudgeActions.Add(configure);
        }

        return this;
    }

    /// <summary>Chooses the stages.</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    public HybridRoutingBuilder Stages(Action<HybridRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        StageActions.Add(configure);
        return this;
    }
}
