using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmRouting;

/// <summary>Configures the router registered by <c>services.AddLlmRouter(…)</c>: targets, strategies, filters, observers.</summary>
/// <remarks>
/// Each call records configuration on <see cref="LlmRoutingOptions"/> (after configuration binding) or
/// registers services; nothing is built until the router is first resolved, when the options are validated.
/// </remarks>
public sealed class LlmRouterBuilder
{
    private readonly HashSet<string> _targetsAddedInCode = new(StringComparer.OrdinalIgnoreCase);

    internal LlmRouterBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection, for extensions that register their own services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a target served by the keyed <see cref="IChatClient"/> registered under <paramref name="name"/> (or the key <see cref="TargetBuilder.UseKeyedClient"/> names).</summary>
    /// <param name="name">The target's unique name.</param>
    /// <param name="configure">Sets prices, limits, capabilities, tags and tier.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A target with that name was already added in code.</exception>
    /// <remarks>If configuration already defines a target of that name, <paramref name="configure"/> refines it.</remarks>
    public LlmRouterBuilder AddTarget(string name, Action<TargetBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_targetsAddedInCode.Add(name))
        {
            throw new ArgumentException($"Target '{name}' has already been added; target names must be unique.", nameof(name));
        }

        Services.Configure<LlmRoutingOptions>(options =>
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
    /// <param name="client">The client (not owned by the container).</param>
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
    /// <param name="configure">Adds rules: <c>rules.When(r => …).RouteTo("premium")</c>.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseRules(Action<RuleSetBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<LlmRoutingOptions>(options =>
        {
            var rules = new List<RuleOptions>();
            configure(new RuleSetBuilder(rules));
            foreach (RuleOptions rule in rules)
            {
                options.Rules.Add(rule);
            }
        });
        return AddStrategyName(RuleStrategy.StrategyName);
    }

    /// <summary>Appends a strategy instance to the chain.</summary>
    /// <param name="strategy">The strategy (shared by all requests; must be thread-safe).</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseStrategy(IRoutingStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return UseStrategy(strategy.Name, (_, _) => strategy);
    }

    /// <summary>Appends a strategy created from the container (its constructor dependencies are resolved).</summary>
    /// <typeparam name="TStrategy">The strategy type.</typeparam>
    /// <param name="name">The name listed in <see cref="LlmRoutingOptions.Strategies"/>; defaults to the type name.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseStrategy<TStrategy>(string? name = null)
        where TStrategy : class, IRoutingStrategy =>
        UseStrategy(name ?? typeof(TStrategy).Name, (sp, _) => ActivatorUtilities.GetServiceOrCreateInstance<TStrategy>(sp));

    /// <summary>Registers a named strategy and appends it to the chain.</summary>
    /// <param name="name">The strategy name.</param>
    /// <param name="factory">Creates the strategy from the services and current options (again on reload).</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder UseStrategy(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory)
    {
        RegisterStrategy(name, factory);
        return AddStrategyName(name);
    }

    /// <summary>Registers a named strategy without adding it to the chain, so configuration can list it in <c>Strategies</c>.</summary>
    /// <param name="name">The strategy name.</param>
    /// <param name="factory">Creates the strategy.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder RegisterStrategy(string name, Func<IServiceProvider, LlmRoutingOptions, IRoutingStrategy> factory)
    {
        Services.AddSingleton(new RoutingStrategyRegistration(name, factory));
        return this;
    }

    /// <summary>Adds a candidate filter (after the built-in capability and context-window filters).</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddFilter(IRouteCandidateFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Services.AddSingleton(filter);
        return this;
    }

    /// <summary>Adds a candidate filter created from the container.</summary>
    /// <typeparam name="TFilter">The filter type.</typeparam>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddFilter<TFilter>()
        where TFilter : class, IRouteCandidateFilter
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteCandidateFilter, TFilter>());
        return this;
    }

    /// <summary>Adds an observer told about every routed request once it has ended.</summary>
    /// <typeparam name="TObserver">The observer type.</typeparam>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddObserver<TObserver>()
        where TObserver : class, IRouteObserver
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteObserver, TObserver>());
        return this;
    }

    /// <summary>Adds an observer instance.</summary>
    /// <param name="observer">The observer.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder AddObserver(IRouteObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        Services.AddSingleton(observer);
        return this;
    }

    /// <summary>Wraps every target's client in a decorator (applied in registration order, the first innermost).</summary>
    /// <param name="decorate">Returns the client to use for a target.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder DecorateTargets(Func<TargetDecoration, IChatClient> decorate)
    {
        Services.AddSingleton(new TargetClientDecorator(decorate));
        return this;
    }

    /// <summary>Sets the target that serves requests no strategy decides.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder Default(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        Services.Configure<LlmRoutingOptions>(o => o.Default = target);
        return this;
    }

    /// <summary>Sets the target savings are measured against (typically the premium model).</summary>
    /// <param name="target">The target name.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder Baseline(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        Services.Configure<LlmRoutingOptions>(o => o.Baseline = target);
        return this;
    }

    /// <summary>Applies any further change to the options.</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    public LlmRouterBuilder Configure(Action<LlmRoutingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    private LlmRouterBuilder AddStrategyName(string name)
    {
        Services.Configure<LlmRoutingOptions>(options =>
        {
            foreach (string existing in options.Strategies)
            {
                if (string.Equals(existing, name, StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }

            options.Strategies.Add(name);
        });
        return this;
    }
}
