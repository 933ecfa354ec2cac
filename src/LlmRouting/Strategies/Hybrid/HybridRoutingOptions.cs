using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Which stages the hybrid pipeline puts in the strategy chain; bound from <c>LlmRouting:Hybrid</c>.</summary>
/// <remarks>
/// The chain is: data policy (a candidate filter) → rules → classifier (when one is registered) or embedding
/// routes (when any are configured) → LLM-as-judge (off by default) → cost-aware. Stages already listed in
/// <see cref="LlmRoutingOptions.Strategies"/> keep their place; missing ones are inserted in that order.
/// </remarks>
public sealed class HybridRoutingOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "LlmRouting:Hybrid";

    /// <summary>Gets or sets a value indicating whether a registered <c>classifier</c> strategy takes the learned stage instead of embedding routes.</summary>
    /// <value>The default is <see langword="true"/>; with no classifier registered, embedding routes are used.</value>
    public bool PreferClassifier { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the LLM-as-judge stage runs (one model call per request it reaches).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Judge { get; set; }

    /// <summary>Gets or sets a value indicating whether the cost-aware stage ends the chain (cheapest good-enough target, budgets).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool CostAware { get; set; } = true;
}
