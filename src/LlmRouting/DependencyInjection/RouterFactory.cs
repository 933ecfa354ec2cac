using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmRouting;

/// <summary>Builds the router's state from validated options and the container, at start-up and on every reload.</summary>
internal sealed class RouterFactory
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<LlmRoutingOptions> _options;

    public RouterFactory(IServiceProvider services, IOptionsMonitor<LlmRoutingOptions> options)
    {
        _services = services;
        _options = options;
    }

    public LlmRouterChatClient CreateRouter()
    {
        // Reading CurrentValue runs validation: a configuration error surfaces here, at start-up.
        RouterState state = Build(_options.CurrentValue);
        return new LlmRouterChatClient(state, leaveOpen: true, reload: swap => _options.OnChange((options, _) =>
        {
            try
            {
                swap(Build(options));
            }
#pragma warning disable CA1031 // A bad reload must never take the running router down; it keeps the last good state.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ReloadFailed(state.Logger, ex);
            }
        }));
    }

    public RouterState Build(LlmRoutingOptions options)
    {
        ILogger logger = _services.GetService<ILoggerFactory>()?.CreateLogger<LlmRouterChatClient>() ?? NullLogger<LlmRouterChatClient>.Instance;
        var registry = new TargetRegistry(options.Targets.Select(CreateTarget));
        IReadOnlyList<IRouteCandidateFilter> filters = [CapabilityFilter.Instance, ContextWindowFilter.Instance, .. _services.GetServices<IRouteCandidateFilter>()];
        return new RouterState(
            registry,
            filters,
            CreateStrategies(options),
            registry[options.Default ?? throw new InvalidOperationException($"{LlmRoutingOptions.SectionName}:Default is required.")],
            options.Baseline is { } baseline ? registry[baseline] : null,
            _services.GetService<RouteExecutor>() ?? DirectRouteExecutor.Instance,
            [.. _services.GetServices<IRouteObserver>().Where(ConfiguredStrategies.IsActive)],
            _services.GetService<TimeProvider>() ?? TimeProvider.System,
            logger,
            _services.GetService<RoutingMetrics>(),
            _services.GetService<IRequestAnalyzer>());
    }

    private RouteTarget CreateTarget(TargetOptions options)
    {
        IChatClient client = options.ClientFactory?.Invoke(_services) ?? _services.GetRequiredKeyedService<IChatClient>(options.ClientKey ?? options.Name);
        TargetProfile profile = options.ToProfile();
        foreach (TargetClientDecorator decorator in _services.GetServices<TargetClientDecorator>())
        {
            client = decorator.Decorate(new TargetDecoration(options.Name, profile, client, _services));
        }

        return new RouteTarget(options.Name, client, profile);
    }

    private IRoutingStrategy[] CreateStrategies(LlmRoutingOptions options)
    {
        var registrations = new Dictionary<string, RoutingStrategyRegistration>(StringComparer.OrdinalIgnoreCase);
        foreach (RoutingStrategyRegistration registration in _services.GetServices<RoutingStrategyRegistration>())
        {
            registrations[registration.Name] = registration;
        }

        var names = new List<string>(options.Strategies);
        if (options.Rules.Count > 0 && !names.Contains(RuleStrategy.StrategyName, StringComparer.OrdinalIgnoreCase))
        {
            names.Insert(0, RuleStrategy.StrategyName);
        }

        return [.. names.Select(name => registrations[name].Factory(_services, options))];
    }
}
