using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Configuration;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting;

/// <summary>Adds the hybrid pipeline: data policy → rules → classifier or embedding → (judge) → cost-aware.</summary>
public static class HybridRoutingLlmRouterBuilderExtensions
{
    /// <summary>The name the classifier strategy registers under; the hybrid pipeline prefers it to embedding routes.</summary>
    public const string ClassifierStrategyName = "classifier";

    /// <summary>The key <c>UseDataPolicy</c> adds its filter under.</summary>
    internal const string DataPolicyFilterKey = "data-policy";

    private const string Origin = "UseHybridRouting";

    /// <summary>Sets up the documented default chain, configured from the <c>LlmRouting</c> sections (<c>DataPolicy</c>, <c>Embedding</c>, <c>CostAware</c>, <c>Judge</c>, <c>Hybrid</c>) and then from code.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Configures the stages in code.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// <para>
    /// Stages: the data-policy guardrail as a candidate filter (when allowed target tags are set), so no strategy
    /// or fallback can send a sensitive request elsewhere; the rules (when any); the classifier when one is
    /// registered under <see cref="ClassifierStrategyName"/>, otherwise the embedding routes (when any); the
    /// LLM-as-judge (only when turned on); the cost-aware strategy, which always decides: the cheapest
    /// candidate good enough for the request, within budgets.
    /// </para>
    /// <para>
    /// Stages already listed in <c>LlmRouting:Strategies</c> keep their place, missing ones are inserted in the
    /// order above, and strategy names the list holds besides the stages stay where they are. The stage sections
    /// are read once at start-up; targets, prices and rules still reload.
    /// </para>
    /// </remarks>
    /// <example><code>
    /// services.AddLlmRouter(r => r
    ///     .AddTarget("premium", …).AddTarget("local", t => t.Tags("on-prem").Tier(QualityTier.Economy))
    ///     .Default("local")
    ///     .UseHybridRouting(h => h
    ///         .DataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
    ///         .EmbeddingRoutes(e => e.AddRoute("premium", ["prove this theorem", "refactor this service"]))
    ///         .CostAware(c => c.PremiumThreshold = 0.7)));
    /// </code></example>
    public static LlmRouterBuilder UseHybridRouting(this LlmRouterBuilder builder, Action<HybridRoutingBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.HasStage(Origin))
        {
            throw new InvalidOperationException("UseHybridRouting has already been called for this router; configure every stage in one call.");
        }

        builder.RegisterStage(Origin);

        var hybrid = new HybridRoutingBuilder();
        configure?.Invoke(hybrid);
        IServiceCollection services = builder.Services;
        services.AddSingleton(sp => new HybridStageOptions(hybrid, hybrid.Configuration ?? RouterFactory.ResolveSection(builder, sp)));
        foreach (string section in HybridStageOptions.SectionKeys)
        {
            builder.ClaimedSections.Add(section);
        }

        // Stage 1: the guardrail, a candidate filter that every strategy and fallback obeys.
        builder.AddFilter("hybrid:data-policy", Origin, sp => new HybridDataPolicyFilter(sp.GetRequiredService<HybridStageOptions>().Policy));
        builder.Validators.Add((sp, options) => HybridValidator.Validate(sp.GetRequiredService<HybridStageOptions>(), options, builder));

        // Stage 3: embedding routes; one strategy (and one embedded index) for the router's lifetime.
        EmbeddingRoutingStrategy? embedding = null;
        builder.RegisterStrategy(
            EmbeddingRoutingStrategy.StrategyName,
            (sp, _) =>
            {
                EmbeddingRoutingOptions options = sp.GetRequiredService<HybridStageOptions>().Embedding;
                return embedding ??= new EmbeddingRoutingStrategy(options, options.Generator ?? sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
            },
            Origin + " (its embedding stage)");

        // Stage 4: the judge, registered always (so configuration can list it) but only chained when turned on.
        JudgeLlmRouterBuilderExtensions.RegisterJudge(builder, client: null, prices: null, configure: null, Origin + " (its judge stage)", sp => sp.GetRequiredService<HybridStageOptions>().Judge);

        // Stage 5: cost-aware, with spend recorded for its budgets.
        services.TryAddSingleton<IBudgetStore>(sp => new InMemoryBudgetStore(sp.GetService<TimeProvider>()));
        builder.RegisterStrategy(
            CostAwareStrategy.StrategyName,
            (sp, _) => new CostAwareStrategy(sp.GetRequiredService<HybridStageOptions>().CostAware, sp.GetRequiredService<IBudgetStore>(), sp.GetService<TimeProvider>()),
            Origin + " (its cost-aware stage)");
        BudgetReservations.Register(builder, sp => sp.GetRequiredService<HybridStageOptions>().CostAware);

        // The stages take their places in the chain when the router resolves it (start-up and every reload).
        builder.ChainContributors.Add((sp, options, chain, registered) => Merge(chain, sp.GetRequiredService<HybridStageOptions>().Chain(options, [.. registered.Where(name => !ConfiguredStrategies.IsConfigured(builder, name))])));
        return builder;
    }

    /// <summary>Inserts the missing stages into <paramref name="strategies"/> in stage order, keeping what is listed where it is.</summary>
    internal static void Merge(IList<string> strategies, List<string> stages)
    {
        for (int s = 0; s < stages.Count; s++)
        {
            if (StrategyChain.Contains(strategies, stages[s]))
            {
                continue;
            }

            // After the nearest earlier stage that is listed; else before the nearest later one; else at the end.
            int at = -1;
            for (int p = s - 1; p >= 0 && at < 0; p--)
            {
                int i = IndexOf(strategies, stages[p]);
                at = i < 0 ? -1 : i + 1;
            }

            for (int n = s + 1; n < stages.Count && at < 0; n++)
            {
                at = IndexOf(strategies, stages[n]);
            }

            strategies.Insert(at < 0 ? strategies.Count : at, stages[s]);
        }
    }

    private static int IndexOf(IList<string> list, string name)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Fails start-up when a stage names an unknown target, no target could serve a sensitive request, or the data policy is configured twice.</summary>
    private static class HybridValidator
    {
        public static List<string> Validate(HybridStageOptions stages, LlmRoutingOptions options, LlmRouterBuilder builder)
        {
            var failures = new List<string>(stages.BindingFailures);
            if (stages.Policy is not null && builder.Filters.Any(f => Equals(f.Key, DataPolicyFilterKey)))
            {
                failures.Add("The data policy is configured twice: by UseDataPolicy(…) and by UseHybridRouting's DataPolicy stage; configure it in one place (h.DataPolicy(…) or LlmRouting:DataPolicy).");
            }

            IList<string> tags = stages.DataPolicy.AllowedTargetTags;
            if (tags.Count > 0 && !options.Targets.Any(t => t.Tags.Any(tag => tags.Contains(tag, StringComparer.OrdinalIgnoreCase))))
            {
                failures.Add($"{LlmRoutingOptions.SectionName}:DataPolicy:AllowedTargetTags ({string.Join(", ", tags)}): no configured target carries any of them; every sensitive request would be refused. Tag a target, e.g. .Tags(\"{tags[0]}\").");
            }

            for (int i = 0; i < stages.Embedding.Routes.Count; i++)
            {
                EmbeddingRoute route = stages.Embedding.Routes[i];
                if (options.FindTarget(route.Target) is null)
                {
                    failures.Add($"{LlmRoutingOptions.SectionName}:Embedding:Routes[{i}] ('{route.Name}'):Target '{route.Target}' is not a configured target (known targets: {StrategyChain.Known(options)}).");
                }
            }

            foreach (string target in stages.CostAware.TargetQuality.Keys)
            {
                if (options.FindTarget(target) is null)
                {
                    failures.Add($"{LlmRoutingOptions.SectionName}:CostAware:TargetQuality names '{target}', which is not a configured target (known targets: {StrategyChain.Known(options)}).");
                }
            }

            return failures;
        }
    }
}
