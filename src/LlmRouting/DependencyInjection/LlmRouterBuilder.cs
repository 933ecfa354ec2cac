using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>The router's composition root: targets, filters, strategies, execution, target decorators and observers; <see cref="Build"/> returns the router.</summary>
/// <remarks>
/// <para>
/// <c>services.AddLlmRouter(r => …)</c>, configuration binding and code without dependency injection all end in the
/// same <see cref="Build"/>: <c>new LlmRouterBuilder().AddTarget("a", clientA).AddTarget("b", clientB).Default("a").UseFallback().Build()</c>
/// is a complete router with failover.
/// </para>
/// <para>
/// Each call records a typed slot; nothing is created until <see cref="Build"/>, which validates the whole
/// composition and fails with every mistake it finds, each named: unknown targets, duplicate strategy names,
/// a stage registered twice (on its own and inside <c>UseHybridRouting</c>), an execution feature added twice.
/// </para>
/// </remarks>
public sealed partial class LlmRouterBuilder
{
    private readonly HashSet<string> _targetsAddedInCode = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _stages = new(StringComparer.Ordinal);
    private string? _executorOrigin;

    /// <summary>Initializes a new instance of the <see cref="LlmRouterBuilder"/> class for a router built without a host's container.</summary>
    /// <remarks>Extensions that need services register them on <see cref="Services"/>; <see cref="Build"/> with no provider builds them privately, and the router disposes them.</remarks>
    public LlmRouterBuilder()
        : this(new ServiceCollection(), attached: false)
    {
    }

    internal LlmRouterBuilder(IServiceCollection services, bool attached)
    {
        Services = services;
        IsAttached = attached;
        RegisterStrategy(
            RuleStrategy.StrategyName,
            static (sp, o) => new RuleStrategy(o.Rules.Select((rule, i) => RoutingRule.FromOptions(rule, i + 1)), sp.GetService<Microsoft.Extensions.Logging.ILogger<RuleStrategy>>()),
            "the built-in rule strategy");
    }

    /// <summary>Gets the service collection, for extensions that register their own services.</summary>
    /// <value>The application's collection under <c>AddLlmRouter</c>; a private one for <c>new LlmRouterBuilder()</c>.</value>
    public IServiceCollection Services { get; }

    /// <summary>Gets or sets the configuration section the options bind from (strictly: an unknown key or a value that does not convert fails the build).</summary>
    /// <value>The default is <see langword="null"/>: the <c>LlmRouting</c> section of the <see cref="IConfiguration"/> registered in the services, if any.</value>
    public IConfiguration? Configuration { get; set; }

    /// <summary>Gets a value indicating whether <see cref="Services"/> is the application's collection (the builder came from <c>AddLlmRouter</c>).</summary>
    internal bool IsAttached { get; }

    /// <summary>Gets the changes to the options, in call order (applied after configuration binding, again on every reload).</summary>
    internal List<Action<LlmRoutingOptions>> OptionActions { get; } = [];

    /// <summary>Gets the registered strategies, by registration order; <see cref="ChainedStrategies"/> says which code appends to the chain.</summary>
    internal List<RoutingStrategyRegistration> Strategies { get; } = [];

    /// <summary>Gets the names code appended to the chain, in order.</summary>
    internal List<string> ChainedStrategies { get; } = [];

    /// <summary>Gets the candidate filters (after the built-in ones), created once per router.</summary>
    internal List<ComponentSlot<IRouteCandidateFilter>> Filters { get; } = [];

    /// <summary>Gets the observers, created once per router.</summary>
    internal List<ComponentSlot<IRouteObserver>> Observers { get; } = [];

    /// <summary>Gets the target decorators, the first innermost.</summary>
    internal List<Func<TargetDecoration, IChatClient>> TargetDecorators { get; } = [];

    /// <summary>Gets the executor factory (fallback, hedging, continuation, escalation); <see langword="null"/> for direct calls.</summary>
    internal Func<IServiceProvider, RouteExecutor>? Executor { get; private set; }

    /// <summary>Gets checks of the whole composition, run at build, at start-up and on every reload; each returns its failures.</summary>
    internal List<Func<IServiceProvider, LlmRoutingOptions, IEnumerable<string>>> Validators { get; } = [];

    /// <summary>Gets contributors that place stages in the resolved chain (the hybrid pipeline), given the chain so far and the registered names.</summary>
    internal List<Action<IServiceProvider, LlmRoutingOptions, List<string>, IReadOnlySet<string>>> ChainContributors { get; } = [];

    /// <summary>Gets configuration sections below the bound section that extensions read themselves (so strict binding does not call them unknown).</summary>
    internal HashSet<string> ClaimedSections { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets wiring mistakes found while composing; reported, all together, by <see cref="Build"/> and start-up validation.</summary>
    internal List<string> WiringErrors { get; } = [];

    /// <summary>Adds a target served by the keyed <see cref="IChatClient"/> registered under <paramref name="name"/> (or the key <see cref="TargetBuilder.UseKeyedClient"/> names).</summary>
    /// <param name="name">The target's unique name.</param>
    /// <param name="configure">Sets prices, limits, capabilities, tags and tier.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A target with that name was already added in code, or the name has leading or trailing white space.</exception>
    /// <remarks>If configuration already defines a target of that name, <paramref name="configure"/> refines it.</remarks>
    public LlmRouterBuilder AddTarget(string name, Action<TargetBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Trim().Length != name.Length)
        {
            throw new ArgumentException($"Target name '{name}' has leading or trailing white space.", nameof(name));
        }

        if (!_targetsAddedInCode.Add(name))
        {
            throw new ArgumentException($"Target '{name}' has already been added; target names must be unique.", nameof(name));
        }

        OptionActions.Add(options =>
        {
            TargetOptions target = options.FindTarget(name) ?? AddNew(options, name);
            configure?.Invoke(new TargetBuilder(target));
        });
        return this;

        static TargetOptions AddNew(LlmRoutingOptions options, string name)
        {
            var target = new TargetOptions { Name = name };
            options.Targets.Add(target);
            return target;
        }
    }

    /// <summary>Adds a target served by <paramref name="client"/>.</summary>
    /// <param name="name">The target's unique name.</param>
    /// <param name="client">The client (not owned by the router or the container).</param>
    /// <param name="configure">Sets prices, limits, capabilities, tags and tier.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddTarget(string name, IChatClient client, Action<TargetBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return AddTarget(name, t =>
        {
            t.UseClient(client);
            configure?.Invoke(t);
        });
    }

    /// <summary>Adds routing rules, evaluated in order; the rule strategy takes its place in the chain here.</summary>
    /// <param name="configure">Adds rules: <c>rules.WhenContainsAny("stack trace").RouteTo("premium")</c>.</param>
    /// <returns>This builder.</returns>
    /// <remarks>Calling it again adds more rules to the same rule strategy.</remarks>
    public LlmRouterBuilder UseRules(Action<RuleSetBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        OptionActions.Add(options =>
        {
            var rules = new List<RuleOptions>();
            configure(new RuleSetBuilder(rules));
            foreach (RuleOptions rule in rules)
            {
                options.Rules.Add(rule);
            }
        });
        Chain(RuleStrategy.StrategyName);
        return this;
    }

    /// <summary>Appends a strategy instance to the chain.</summary>
    /// <param name="strategy">The strategy (shared by all requests; must be thread-safe).</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseStrategy(IRoutingStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return UseStrategy(strategy.Name, (_, _) => strategy);
    }

    /// <summary>Appends a strategy created from the services (its constructor dependencies are resolved).</summary>
    /// <typeparam name="TStrategy">The strategy type.</typeparam>
    /// <param name="name">The name configuration can list in <see cref="LlmRoutingOptions.Strategies"/>; defaults to the type name.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseStrategy<TStrategy>(string? name = null)
        where TStrategy : class, IRoutingStrategy =>
        UseStrategy(name ?? typeof(TStrategy).Name, (sp, _) => ActivatorUtilities.GetServiceOrCreateInstance<TStrategy>(sp));

    /// <summary>Registers a named strategy and appends it to the chain.</summary>
    /// <param name="name">The strategy name (unique, case-insensitive).</param>
    /// <param name="factory">Creates the strategy from the services and current options (again on reload).</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseStrategy(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory) =>
        UseStrategy(name, factory, origin: null);

    /// <summary>Registers a named strategy without adding it to the chain, so configuration can list it in <c>Strategies</c>.</summary>
    /// <param name="name">The strategy name (unique, case-insensitive).</param>
    /// <param name="factory">Creates the strategy.</param>
    /// <returns>This builder.</returns>
    /// <remarks>A name registered twice fails the build with a message naming it.</remarks>
    public LlmRouterBuilder RegisterStrategy(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory) =>
        RegisterStrategy(name, factory, origin: null);

    /// <summary>Adds a candidate filter (after the built-in capability and context-window filters).</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddFilter(IRouteCandidateFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Filters.Add(new(key: null, _ => filter));
        return this;
    }

    /// <summary>Adds a candidate filter created once per router from the services.</summary>
    /// <param name="factory">Creates the filter.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddFilter(Func<IServiceProvider, IRouteCandidateFilter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Filters.Add(new(key: null, factory));
        return this;
    }

    /// <summary>Adds a candidate filter created from the services (once, however often it is added).</summary>
    /// <typeparam name="TFilter">The filter type.</typeparam>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddFilter<TFilter>()
        where TFilter : class, IRouteCandidateFilter
    {
        if (!Filters.Any(f => Equals(f.Key, typeof(TFilter))))
        {
            Services.TryAddSingleton<TFilter>();
            Filters.Add(new(typeof(TFilter), static sp => sp.GetRequiredService<TFilter>()));
        }

        return this;
    }

    /// <summary>Adds an observer told about every routed request once it has ended, created from the services (once, however often it is added).</summary>
    /// <typeparam name="TObserver">The observer type.</typeparam>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddObserver<TObserver>()
        where TObserver : class, IRouteObserver
    {
        if (!Observers.Any(o => Equals(o.Key, typeof(TObserver))))
        {
            Services.TryAddSingleton<TObserver>();
            Observers.Add(new(typeof(TObserver), static sp => sp.GetRequiredService<TObserver>()));
        }

        return this;
    }

    /// <summary>Adds an observer instance.</summary>
    /// <param name="observer">The observer.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddObserver(IRouteObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        Observers.Add(new(key: null, _ => observer));
        return this;
    }

    /// <summary>Adds an observer created once per router from the services.</summary>
    /// <param name="factory">Creates the observer.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddObserver(Func<IServiceProvider, IRouteObserver> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Observers.Add(new(key: null, factory));
        return this;
    }

    /// <summary>Wraps every target's client in a decorator (applied in call order, the first innermost).</summary>
    /// <param name="decorate">Returns the client to use for a target.</param>
    /// <returns>This builder.</returns>
    /// <remarks>Decorators run each time the targets are built (start-up and every reload): keep per-target state keyed by <see cref="TargetDecoration.TargetName"/> outside the decorator.</remarks>
    public LlmRouterBuilder DecorateTargets(Func<TargetDecoration, IChatClient> decorate)
    {
        ArgumentNullException.ThrowIfNull(decorate);
        TargetDecorators.Add(decorate);
        return this;
    }

    /// <summary>Sets the target that serves requests no strategy decides.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder Default(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        OptionActions.Add(o => o.Default = target);
        return this;
    }

    /// <summary>Sets the target savings are measured against (typically the premium model).</summary>
    /// <param name="target">The target name.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder Baseline(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        OptionActions.Add(o => o.Baseline = target);
        return this;
    }

    /// <summary>Applies any further change to the options.</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder Configure(Action<LlmRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        OptionActions.Add(configure);
        return this;
    }

    /// <summary>Binds the options from <paramref name="section"/> (strictly), before the changes made in code.</summary>
    /// <param name="section">The section holding targets, rules, strategies, default and baseline.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder BindConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Configuration = section;
        return this;
    }

    /// <summary>Builds the router: binds and validates the options, creates targets, filters, strategies, the executor and observers.</summary>
    /// <param name="services">
    /// The services the router resolves keyed clients and dependencies from; <see langword="null"/> builds the services
    /// registered on <see cref="Services"/> into a private provider the router owns (and disposes).
    /// </param>
    /// <returns>The router; it reloads when the bound configuration does.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The composition or the options are invalid; <c>Failures</c> lists every mistake, each named.</exception>
    /// <exception cref="InvalidOperationException">A builder created with <c>new LlmRouterBuilder()</c> has services registered on <see cref="Services"/> that <paramref name="services"/> does not hold.</exception>
    public LlmRouterChatClient Build(IServiceProvider? services = null)
    {
        ServiceProvider? owned = null;
        if (services is null)
        {
            owned = Services.BuildServiceProvider();
            services = owned;
        }
        else if (!IsAttached && Services.Count > 0)
        {
            throw new InvalidOperationException(
                $"This builder's extensions registered {Services.Count} service(s) on LlmRouterBuilder.Services ({string.Join(", ", Services.Select(d => d.ServiceType.Name).Distinct().Take(5))}), which the given provider does not hold: call Build() without a provider, or use services.AddLlmRouter(…).");
        }

        try
        {
            return new RouterFactory(this, services).CreateRouter(owned);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

}
