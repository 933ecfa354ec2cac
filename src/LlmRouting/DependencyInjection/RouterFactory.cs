using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using LlmRouting.Agents;
using LlmRouting.Analysis;
using LlmRouting.Caching;
using LlmRouting.Catalog;
using LlmRouting.Configuration;
using LlmRouting.Filtering;
using LlmRouting.Strategies;
using LlmRouting.Telemetry;

namespace LlmRouting;

/// <summary>Carries out <see cref="LlmRouterBuilder.Build"/>: options (bound, refined, validated), then the router's state, at start-up and on every reload.</summary>
internal sealed partial class RouterFactory
{
    private readonly LlmRouterBuilder _builder;
    private readonly IServiceProvider _services;
    private readonly IConfiguration? _section;
    private readonly ILogger _logger;
    private IReadOnlyList<IRouteCandidateFilter> _filters = [];
    private IReadOnlyList<IRouteObserver> _observers = [];
    private RouteExecutor _executor = DirectRouteExecutor.Instance;

    public RouterFactory(LlmRouterBuilder builder, IServiceProvider services)
    {
        _builder = builder;
        _services = services;
        _section = ResolveSection(builder, services);
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger<LlmRouterChatClient>() ?? NullLogger<LlmRouterChatClient>.Instance;
    }

    /// <summary>Gets the section the builder binds from: the one it was given, else <c>LlmRouting</c> of the registered configuration.</summary>
    public static IConfiguration? ResolveSection(LlmRouterBuilder builder, IServiceProvider services) =>
        builder.Configuration ?? services.GetService<IConfiguration>()?.GetSection(LlmRoutingOptions.SectionName);

    /// <summary>Binds <paramref name="section"/> strictly onto <paramref name="options"/>, then applies the builder's changes in order.</summary>
    public static void Populate(LlmRouterBuilder builder, IConfiguration? section, LlmRoutingOptions options, List<string> failures)
    {
        if (section is not null && (section is not IConfigurationSection s || s.Exists()))
        {
            LlmRoutingOptionsBinder.Bind(section, options, builder.ClaimedSections, failures);
        }

        foreach (Action<LlmRoutingOptions> action in builder.OptionActions)
        {
            action(options);
        }

        ModelCatalogResolution.Apply(options, failures);
    }

    public LlmRouterChatClient CreateRouter(IDisposable? owned)
    {
        LlmRoutingOptions options = Compose(out List<string> failures);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LlmRoutingOptions), failures);
        }

        RouterState state = NamingSection(() =>
        {
            // Filters, observers and the executor live as long as the router; targets and strategies are rebuilt on reload.
            _filters = [.. _builder.Filters.Select(f => f.Factory(_services))];
            _observers = [.. _builder.Observers.Select(o => o.Factory(_services))];
            _executor = _builder.Executor?.Invoke(_services) ?? DirectRouteExecutor.Instance;
            return CreateState(options);
        });

        foreach (RouteTarget target in state.Registry.Targets.Where(t => t.Profile.Capabilities is null))
        {
            LogCapabilitiesUnknown(_logger, target.Name);
        }

        return new LlmRouterChatClient(state, leaveOpen: true, reload: swap => Subscribe(swap, owned));
    }

    /// <summary>Binds, refines and validates the options; every failure (binding, wiring, validation) is collected.</summary>
    public LlmRoutingOptions Compose(out List<string> failures)
    {
        var options = new LlmRoutingOptions();
        failures = [];
        Populate(_builder, _section, options, failures);
        failures.AddRange(new LlmRoutingOptionsValidator(_builder, _services).Collect(options));
        foreach (IValidateOptions<LlmRoutingOptions> validator in _services.GetServices<IValidateOptions<LlmRoutingOptions>>())
        {
            if (validator is not LlmRoutingOptionsValidator && validator.Validate(Options.DefaultName, options) is { Failed: true } result)
            {
                failures.AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        if (ConfigurationPaths.PathOf(_section) is { } path)
        {
            ConfigurationPaths.Rewrite(failures, path);
        }

        return options;
    }

    private IDisposable? Subscribe(Action<RouterState> swap, IDisposable? owned)
    {
        IDisposable? reload = _section is null ? null : ChangeToken.OnChange(_section.GetReloadToken, () => Reload(swap));
        return reload is null ? owned : owned is null ? reload : new Both(reload, owned);
    }

    private void Reload(Action<RouterState> swap)
    {
        LlmRoutingOptions options = Compose(out List<string> failures);
        if (failures.Count > 0)
        {
            LogReloadRejected(_logger, failures.Count, string.Join(Environment.NewLine, failures));
            return;
        }

        try
        {
            swap(NamingSection(() => CreateState(options)));
        }
#pragma warning disable CA1031 // A bad reload must never take the running router down; it keeps the last good state.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReloadFailed(_logger, ex);
        }
    }

    /// <summary>Runs part of a build or reload; a configured option's validation failure (a strategy's options are validated as it is built) names the section this router really reads.</summary>
    private T NamingSection<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (OptionsValidationException e) when (ConfigurationPaths.PathOf(_section) is { } path)
        {
            throw ConfigurationPaths.Rewrite(e, path);
        }
    }

    private RouterState CreateState(LlmRoutingOptions options)
    {
        var registry = new TargetRegistry(options.Targets.Select(CreateTarget));
        return CreateState(
            registry,
            _filters,
            CreateStrategies(options),
            options.Default ?? throw new InvalidOperationException($"{LlmRoutingOptions.SectionName}:Default is required."),
            options.Baseline,
            _executor,
            _observers,
            _services.GetService<TimeProvider>() ?? TimeProvider.System,
            _logger,
            _services.GetService<RoutingMetrics>(),
            _services.GetService<IRequestAnalyzer>(),
            options.CallerModelIds,
            _services.GetService<AgentSessions>()?.Refresh(_services));
    }

    /// <summary>The one place a <see cref="RouterState"/> is put together (the built-in filters first), for the builder and the public constructor alike.</summary>
    public static RouterState CreateState(
        TargetRegistry registry,
        IEnumerable<IRouteCandidateFilter> filters,
        IEnumerable<IRoutingStrategy> strategies,
        string defaultTarget,
        string? baseline,
        RouteExecutor executor,
        IEnumerable<IRouteObserver> observers,
        TimeProvider timeProvider,
        ILogger logger,
        RoutingMetrics? metrics,
        IRequestAnalyzer? analyzer,
        CallerModelIdMode callerModelIds = CallerModelIdMode.Pin,
        AgentSessions? agents = null)
    {
        if (!registry.TryGet(defaultTarget, out RouteTarget? fallback))
        {
            throw new ArgumentException($"The default target '{defaultTarget}' is not one of the targets ({string.Join(", ", registry.Targets)}).", nameof(defaultTarget));
        }

        RouteTarget? baselineTarget = null;
        if (baseline is not null && !registry.TryGet(baseline, out baselineTarget))
        {
            throw new ArgumentException($"The baseline target '{baseline}' is not one of the targets ({string.Join(", ", registry.Targets)}).", nameof(baseline));
        }

        // The built-in filters are listed here and nowhere else.
        IReadOnlyList<IRouteCandidateFilter> all = [CapabilityFilter.Instance, ContextWindowFilter.Instance, .. filters];
        // Metrics are an ordinary observer, told first; the router only needs to know that spans are on.
        IReadOnlyList<IRouteObserver> told = metrics is null ? [.. observers] : [new MetricsRouteObserver(metrics), .. observers];
        return new RouterState(registry, all, [.. strategies], fallback, baselineTarget, executor, told, timeProvider, logger, traced: metrics is not null, analyzer, callerModelIds, agents, metrics?.RouterName);
    }

    private RouteTarget CreateTarget(TargetOptions options)
    {
        IChatClient client = options.ClientFactory?.Invoke(_services) ?? _services.GetRequiredKeyedService<IChatClient>(options.ClientKey ?? options.Name);
        TargetProfile profile = options.ToProfile();
        // Innermost, so an answer a cache among the decorators replays is told from a fresh one (and not billed).
        ProviderResponseStamp? stamp = _builder.TargetDecorators.Count > 0 ? new ProviderResponseStamp(client) : null;
        client = stamp ?? client;
        foreach (Func<TargetDecoration, IChatClient> decorate in _builder.TargetDecorators)
        {
            client = decorate(new TargetDecoration(options.Name, profile, client, _services));
        }

        stamp?.EnableFor(client);

        return new RouteTarget(options.Name, client, profile);
    }

    private IRoutingStrategy[] CreateStrategies(LlmRoutingOptions options)
    {
        var registrations = _builder.Strategies.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        return [.. ResolveChain(_builder, _services, options).Select(name => registrations[name].Factory(_services, options))];
    }

    /// <summary>The chain by name: configuration's list, then what code appended, then the stages contributors place (hybrid), rules first when any exist.</summary>
    public static List<string> ResolveChain(LlmRouterBuilder builder, IServiceProvider services, LlmRoutingOptions options)
    {
        var names = new List<string>(options.Strategies);
        foreach (string name in builder.ChainedStrategies)
        {
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(name);
            }
        }

        IReadOnlySet<string> registered = builder.Strategies.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (Action<IServiceProvider, LlmRoutingOptions, List<string>, IReadOnlySet<string>> contribute in builder.ChainContributors)
        {
            contribute(services, options, names, registered);
        }

        if (options.Rules.Count > 0 && !names.Contains(RuleStrategy.StrategyName, StringComparer.OrdinalIgnoreCase))
        {
            names.Insert(0, RuleStrategy.StrategyName);
        }

        return names;
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Target '{Target}' declares no capabilities and names no catalogue model: its capabilities are unknown, so no request is kept from it for needing tools, vision, JSON schema or reasoning. Declare them (Supports/Capabilities) or set Model.")]
    private static partial void LogCapabilitiesUnknown(ILogger logger, string target);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Router configuration reload rejected with {FailureCount} failure(s); the previous configuration stays in force:\n{Failures}")]
    private static partial void LogReloadRejected(ILogger logger, int failureCount, string failures);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Router configuration reload failed while building the new state; the previous configuration stays in force.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}
