using LlmRouting.Accounting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Learning;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>
/// Registers every built-in strategy under its name, configured from its <c>LlmRouting</c> section, so that listing it in
/// <c>LlmRouting:Strategies</c> turns it on without code: a configuration file is a complete router.
/// </summary>
/// <remarks>
/// <para>
/// Registered before the code's <c>Use…</c> calls, so a strategy set up in code replaces the configured one of the same
/// name. Nothing is built unless a name is listed; a listed strategy is built when the router is (at start-up and on
/// reload) and fails with a message naming the section and field.
/// </para>
/// <para>
/// Sections: <c>Classifier</c> (<see cref="ClassifierOptions"/>), <c>CostAware</c> (<see cref="CostAwareOptions"/>,
/// budgets included), <c>Embedding</c> (<see cref="EmbeddingRoutingOptions"/>), <c>Judge</c> (<see cref="JudgeOptions"/>),
/// <c>Load</c> (<see cref="ConfiguredLoadOptions"/>: the load-aware strategies, weighted split and consistent hashing),
/// <c>Adaptive</c> (<see cref="AdaptiveRoutingOptions"/>: the adaptive router and its model file), <c>Bandit</c>
/// (<see cref="BanditOptions"/>: the learning strategy, with outcome feedback), and <c>hybrid</c>, the hybrid stages in one strategy (see <see cref="ConfiguredHybridStrategy"/>).
/// </para>
/// </remarks>
internal static partial class ConfiguredStrategies
{
    /// <summary>The name under which the hybrid stages run as one configured strategy.</summary>
    public const string HybridName = ConfiguredHybridStrategy.StrategyName;

    private static readonly string[] LoadAware = [LeastInFlightStrategy.StrategyName, LowestLatencyStrategy.StrategyName, PowerOfTwoChoicesStrategy.StrategyName];

    private static readonly (string Name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> Factory)[] Factories =
    [
        (ClassifierStrategy.StrategyName, static (sp, routing) => CreateClassifier(sp, routing)),
        (CostAwareStrategy.StrategyName, static (sp, routing) => CreateCostAware(sp, routing)),
        (EmbeddingRoutingStrategy.StrategyName, static (sp, routing) => CreateEmbedding(sp, routing)),
        (LeastInFlightStrategy.StrategyName, static (sp, routing) => new LeastInFlightStrategy(Tracker(sp), LoadTargets(sp, routing))),
        (LowestLatencyStrategy.StrategyName, static (sp, routing) => new LowestLatencyStrategy(Tracker(sp), LoadTargets(sp, routing))),
        (PowerOfTwoChoicesStrategy.StrategyName, static (sp, routing) => new PowerOfTwoChoicesStrategy(Tracker(sp), LoadTargets(sp, routing), Random.Shared)),
        (WeightedSplitStrategy.StrategyName, static (sp, routing) => CreateWeightedSplit(sp, routing)),
        (ConsistentHashStrategy.StrategyName, static (sp, routing) => CreateConsistentHash(sp, routing)),
        (HybridName, static (sp, routing) => CreateHybrid(sp, routing)),
        (AdaptiveRoutingStrategy.StrategyName, static (sp, routing) => CreateAdaptive(sp, routing)),
        (BanditStrategy.StrategyName, static (sp, routing) => CreateBandit(sp, routing)),
    ];

    /// <summary>The origin the configured built-ins are registered under (named in wiring messages).</summary>
    public const string Origin = "LlmRouting:Strategies (configuration)";

    /// <summary>Gets a value indicating whether the strategy named <paramref name="name"/> is one of the configured built-ins (not set up in code).</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="name">The strategy name.</param>
    /// <returns>Whether it was registered here.</returns>
    public static bool IsConfigured(LlmRouterBuilder builder, string name) =>
        builder.Strategies.Exists(r => r.Origin == Origin && string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Registers the built-in strategies that the code's configuration left unregistered; call after it.</summary>
    /// <param name="builder">The router builder.</param>
    public static void Register(LlmRouterBuilder builder)
    {
        IServiceCollection services = builder.Services;
        var claimedByCode = new HashSet<string>(builder.ClaimedSections, StringComparer.OrdinalIgnoreCase);
        bool feedbackInCode = builder.Observers.Exists(o => Equals(o.Key, typeof(RouteFeedback)));
        services.TryAddSingleton(_ => new ConfiguredStrategyState(feedbackInCode));
        services.TryAddSingleton(new RouterSection(builder));
        builder.AddObserver(sp => sp.GetRequiredService<ConfiguredStrategyState>());
        services.TryAddSingleton(static sp => new BudgetMonitor(
            () => [.. BudgetReservations.BudgetsOf(sp), .. sp.GetRequiredService<ConfiguredStrategyState>().Budgets],
            () => sp.GetRequiredService<ConfiguredStrategyState>().BudgetStore(sp),
            sp.GetService<TimeProvider>()));

        foreach ((string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory) in Factories)
        {
            if (!builder.Strategies.Exists(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                builder.RegisterStrategy(name, factory, Origin);
            }
        }

        if (!builder.Strategies.Exists(r => string.Equals(r.Name, JudgeStrategy.StrategyName, StringComparison.OrdinalIgnoreCase)))
        {
            JudgeLlmRouterBuilderExtensions.RegisterJudge(builder, client: null, prices: null, configure: null, Origin);
        }

        if (IsConfigured(builder, BanditStrategy.StrategyName))
        {
            RegisterBanditFeedback(builder, feedbackInCode);
        }

        // The sections the configured strategies read are checked strictly at start-up; one whose strategy is neither
        // listed nor set up in code is reported, so no setting is silently ignored.
        foreach ((string section, string[] strategies, Action<LlmRouterBuilder> claim) in Sections)
        {
            if (claimedByCode.Contains(section) || strategies.Any(name => !IsConfigured(builder, name)))
            {
                continue; // code sets the strategy up and reads (or refuses) its section itself
            }

            claim(builder);
            builder.Validators.Add((sp, options) =>
                builder.SectionOf(sp, section) is { } configured && configured.Exists()
                && !strategies.Any(name => options.Strategies.Contains(name, StringComparer.OrdinalIgnoreCase))
                    ? [$"{LlmRoutingOptions.SectionName}:{section} is configured, but nothing reads it: list {string.Join(" or ", strategies.Select(n => $"'{n}'"))} in {LlmRoutingOptions.SectionName}:Strategies, or set the strategy up in code."]
                    : []);
        }

        services.AddSingleton(new JudgeFactory(builder.Strategies.First(r => string.Equals(r.Name, JudgeStrategy.StrategyName, StringComparison.OrdinalIgnoreCase)).Factory));

        // Load tracking, only when a configured load-aware strategy is listed and code set up none of its own.
        builder.DecorateTargets(static d =>
            d.Services.GetService<TargetLoadTracker>() is null
            && Lists(d.Services, LoadAware)
                ? new LoadTrackingChatClient(d.Client, d.Services.GetRequiredService<ConfiguredStrategyState>().LoadTracker(d.Services), d.TargetName)
                : d.Client);
    }

    /// <summary>Whether configuration lists one of <paramref name="names"/> (read raw: targets and observers are built before options are final, and a reload must not re-validate here).</summary>
    private static bool Lists(IServiceProvider services, params string[] names) =>
        Section(services, LlmRoutingOptions.SectionName + ":Strategies")?.GetChildren().Any(c => c.Value is { } name && names.Contains(name, StringComparer.OrdinalIgnoreCase)) == true;

    private static readonly (string Section, string[] Strategies, Action<LlmRouterBuilder> Claim)[] Sections =
    [
        ("Classifier", [ClassifierStrategy.StrategyName, HybridName], static b => b.ClaimSection<ClassifierOptions>("Classifier")),
        ("CostAware", [CostAwareStrategy.StrategyName, HybridName], static b => b.ClaimSection<CostAwareOptions>("CostAware")),
        ("Embedding", [EmbeddingRoutingStrategy.StrategyName, HybridName], static b => b.ClaimSection<EmbeddingRoutingOptions>("Embedding")),
        ("Load", [.. LoadAware, WeightedSplitStrategy.StrategyName, ConsistentHashStrategy.StrategyName], static b => b.ClaimSection<ConfiguredLoadOptions>("Load")),
        ("Hybrid", [HybridName], static b => b.ClaimSection<HybridRoutingOptions>("Hybrid")),
        ("Judge", [JudgeStrategy.StrategyName, HybridName], static b => b.ClaimSection<JudgeOptions>("Judge")),
        ("Adaptive", [AdaptiveRoutingStrategy.StrategyName], static b => b.ClaimSection<AdaptiveRoutingOptions>("Adaptive")),
        (BanditLlmRouterBuilderExtensions.Section, [BanditStrategy.StrategyName], static b => b.ClaimSection<BanditOptions>(BanditLlmRouterBuilderExtensions.Section)),
    ];

    internal static ClassifierStrategy CreateClassifier(IServiceProvider services, LlmRoutingOptions routing) =>
        ClassifierLlmRouterBuilderExtensions.Create(Bind(services, ClassifierOptions.SectionName, new ClassifierOptions()), routing);

    internal static CostAwareOptions CostAwareOptions(IServiceProvider services, LlmRoutingOptions routing, string section = "LlmRouting:CostAware")
    {
        CostAwareOptions options = Bind(services, section, new CostAwareOptions());
        List<string> failures = OptionsValidation.Validate(options, section);
        foreach (string target in options.TargetQuality.Keys)
        {
            if (routing.FindTarget(target) is null)
            {
                failures.Add($"{section}:TargetQuality names '{target}', which is not a configured target (known targets: {StrategyChain.Known(routing)}).");
            }
        }

        return failures.Count == 0 ? options : throw new OptionsValidationException(section, typeof(LlmRoutingOptions), failures);
    }

    private static CostAwareStrategy CreateCostAware(IServiceProvider services, LlmRoutingOptions routing)
    {
        CostAwareOptions options = CostAwareOptions(services, routing);
        ConfiguredStrategyState state = services.GetRequiredService<ConfiguredStrategyState>();
        state.UseBudgets(options.Budgets, services);
        return new CostAwareStrategy(options, state.BudgetStore(services), services.GetService<TimeProvider>());
    }

    private static EmbeddingRoutingStrategy CreateEmbedding(IServiceProvider services, LlmRoutingOptions routing)
    {
        const string Section = "LlmRouting:Embedding";
        EmbeddingRoutingOptions options = Bind(services, Section, new EmbeddingRoutingOptions());
        if (options.Routes.Count == 0)
        {
            throw Invalid(Section, $"{Section}:Routes is empty, but the 'embedding' strategy is listed in {LlmRoutingOptions.SectionName}:Strategies; add routes (Target and Utterances) or remove it.");
        }

        List<string> failures = OptionsValidation.Validate(options, Section);
        for (int i = 0; i < options.Routes.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(options.Routes[i].Target) && routing.FindTarget(options.Routes[i].Target) is null)
            {
                failures.Add($"{Section}:Routes[{i}] ('{options.Routes[i].Name}'):Target '{options.Routes[i].Target}' is not a configured target (known targets: {StrategyChain.Known(routing)}).");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Section, typeof(LlmRoutingOptions), failures);
        }

        return services.GetRequiredService<ConfiguredStrategyState>().Embedding(options, services);
    }

    /// <summary>The adaptive strategy from <c>LlmRouting:Adaptive</c>, built as <c>UseAdaptiveRouting</c> builds it; its model file is read when the router is built (and again on reload).</summary>
    private static AdaptiveRoutingStrategy CreateAdaptive(IServiceProvider services, LlmRoutingOptions routing) =>
        AdaptiveRoutingLlmRouterBuilderExtensions.RequireTargets(
            AdaptiveRoutingLlmRouterBuilderExtensions.Create(Bind(services, AdaptiveRoutingOptions.SectionName, new AdaptiveRoutingOptions())),
            routing);

    private static WeightedSplitStrategy CreateWeightedSplit(IServiceProvider services, LlmRoutingOptions routing)
    {
        const string Section = "LlmRouting:Load:WeightedSplit";
        WeightedSplitOptions options = Bind(services, Section, new WeightedSplitOptions());
        OptionsValidation.ThrowIfInvalid(options, Section);

        foreach (string target in options.Weights.Keys)
        {
            StrategyChain.RequireTarget(routing, target, $"{Section}:Weights");
        }

        return new WeightedSplitStrategy(options);
    }

    private static ConsistentHashStrategy CreateConsistentHash(IServiceProvider services, LlmRoutingOptions routing)
    {
        const string Section = "LlmRouting:Load:ConsistentHash";
        ConsistentHashOptions options = Bind(services, Section, new ConsistentHashOptions());
        OptionsValidation.ThrowIfInvalid(options, Section);

        foreach (string target in options.Targets)
        {
            StrategyChain.RequireTarget(routing, target, $"{Section}:Targets");
        }

        return new ConsistentHashStrategy(options.Targets.Count > 0 ? options.Targets : routing.Targets.Select(t => t.Name), options);
    }

    private static ConfiguredHybridStrategy CreateHybrid(IServiceProvider services, LlmRoutingOptions routing)
    {
        const string Section = HybridRoutingOptions.SectionName;
        HybridRoutingOptions stages = Bind(services, Section, new HybridRoutingOptions());
        if (Find(services, "LlmRouting:DataPolicy") is { } policy && policy.GetSection("AllowedTargetTags").GetChildren().Any())
        {
            throw Invalid(Section, "LlmRouting:DataPolicy is set, but a data policy must filter every strategy and fallback, which a configured strategy cannot do: call UseHybridRouting() (which reads the same sections) or UseDataPolicy(...) in code.");
        }

        var chain = new List<IRoutingStrategy>(3);
        if (stages.PreferClassifier && Find(services, ClassifierOptions.SectionName) is not null)
        {
            chain.Add(CreateClassifier(services, routing));
        }
        else if (Find(services, "LlmRouting:Embedding") is { } embedding && embedding.GetSection("Routes").GetChildren().Any())
        {
            chain.Add(CreateEmbedding(services, routing));
        }

        if (stages.Judge)
        {
            chain.Add(services.GetRequiredService<JudgeFactory>().Create(services, routing));
        }

        if (stages.CostAware)
        {
            chain.Add(CreateCostAware(services, routing));
        }

        if (chain.Count == 0)
        {
            throw Invalid(Section, $"{Section}: no stage is on (no Classifier section or Embedding routes, Judge and CostAware off); the 'hybrid' strategy would never decide.");
        }

        return new ConfiguredHybridStrategy(chain);
    }

    private static TargetLoadTracker Tracker(IServiceProvider services) =>
        services.GetService<TargetLoadTracker>() ?? services.GetRequiredService<ConfiguredStrategyState>().LoadTracker(services);

    private static string[]? LoadTargets(IServiceProvider services, LlmRoutingOptions routing)
    {
        ConfiguredLoadOptions options = Bind(services, "LlmRouting:Load", new ConfiguredLoadOptions());
        foreach (string target in options.Targets)
        {
            StrategyChain.RequireTarget(routing, target, "LlmRouting:Load:Targets");
        }

        return options.Targets.Count == 0 ? null : [.. options.Targets];
    }

    private static IConfigurationSection? Find(IServiceProvider services, string path) =>
        Section(services, path) is { } section && section.Exists() ? section : null;

    /// <summary>The section at <paramref name="path"/> (written from <c>LlmRouting:</c>) under the section the router binds from.</summary>
    private static IConfigurationSection? Section(IServiceProvider services, string path)
    {
        const string Prefix = LlmRoutingOptions.SectionName + ":";
        string relative = path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? path[Prefix.Length..] : path;
        IConfiguration? root = services.GetService<RouterSection>() is { } source
            ? RouterFactory.ResolveSection(source.Builder, services)
            : services.GetService<IConfiguration>()?.GetSection(LlmRoutingOptions.SectionName);
        return root?.GetSection(relative);
    }

    private static T Bind<T>(IServiceProvider services, string section, T options)
        where T : class
    {
        try
        {
            return ConfigurationValues.Bind(Section(services, section), options);
        }
        catch (InvalidOperationException e)
        {
            throw Invalid(section, $"{section} cannot be read: {e.Message}");
        }
    }

    private static OptionsValidationException Invalid(string section, string message) =>
        new(section, typeof(LlmRoutingOptions), [message]);

    /// <summary>The judge's registration (the code's, else the configured one), for the configured hybrid's judge stage.</summary>
    private sealed class JudgeFactory(Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> create)
    {
        public IRoutingStrategy Create(IServiceProvider services, LlmRoutingOptions routing) => create(services, routing);
    }

    /// <summary>The builder whose section the configured strategies read.</summary>
    private sealed class RouterSection(LlmRouterBuilder builder)
    {
        public LlmRouterBuilder Builder { get; } = builder;
    }
}
