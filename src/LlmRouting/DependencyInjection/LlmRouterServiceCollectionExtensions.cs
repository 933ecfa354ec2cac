using LlmRouting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LLM router as the application's <see cref="IChatClient"/>.</summary>
public static class LlmRouterServiceCollectionExtensions
{
    /// <summary>Registers the router as <see cref="IChatClient"/> over keyed clients, configured in code and from the <c>LlmRouting</c> configuration section when an <see cref="IConfiguration"/> is registered.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adds targets, rules and strategies.</param>
    /// <returns>A <see cref="ChatClientBuilder"/> to add decorators around the router (caching, telemetry, logging), outermost first.</returns>
    /// <remarks>Options are validated on start (and when the router is first resolved); reloads of the configuration section swap prices, targets and rules atomically.</remarks>
    public static ChatClientBuilder AddLlmRouter(this IServiceCollection services, Action<LlmRouterBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, configuration: null, configure);
    }

    /// <summary>Registers the router as <see cref="IChatClient"/>, bound from <paramref name="configuration"/> and refined in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section holding targets, rules, strategies, default and baseline.</param>
    /// <param name="configure">Further configuration in code, applied after binding.</param>
    /// <returns>A <see cref="ChatClientBuilder"/> to add decorators around the router.</returns>
    public static ChatClientBuilder AddLlmRouter(this IServiceCollection services, IConfiguration configuration, Action<LlmRouterBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, configuration, configure);
    }

    private static ChatClientBuilder AddCore(IServiceCollection services, IConfiguration? configuration, Action<LlmRouterBuilder>? configure)
    {
        if (services.Any(d => d.ServiceType == typeof(LlmRouterChatClient)))
        {
            throw new InvalidOperationException("AddLlmRouter has already been called on this service collection; configure everything in one call.");
        }

        // Configuration binding runs first, so code refines what configuration set.
        OptionsBuilder<LlmRoutingOptions> options = services.AddOptions<LlmRoutingOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration);
            services.AddSingleton<IOptionsChangeTokenSource<LlmRoutingOptions>>(new ConfigurationChangeTokenSource<LlmRoutingOptions>(configuration));
        }
        else
        {
            options.Configure<IServiceProvider>((o, sp) =>
            {
                if (sp.GetService<IConfiguration>()?.GetSection(LlmRoutingOptions.SectionName) is { } section && section.Exists())
                {
                    section.Bind(o);
                }
            });
            services.AddSingleton<IOptionsChangeTokenSource<LlmRoutingOptions>>(sp =>
                sp.GetService<IConfiguration>() is { } root
                    ? new ConfigurationChangeTokenSource<LlmRoutingOptions>(root.GetSection(LlmRoutingOptions.SectionName))
                    : new NeverChangeTokenSource());
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmRoutingOptions>, LlmRoutingOptionsValidator>());
        services.AddSingleton(new RoutingStrategyRegistration(RuleStrategy.StrategyName, (sp, o) =>
            new RuleStrategy(o.Rules.Select((rule, i) => RoutingRule.FromOptions(rule, $"rule-{i + 1}")), sp.GetService<ILogger<RuleStrategy>>())));

        // Every built-in strategy, turned on by listing its name in LlmRouting:Strategies (code registered next replaces it).
        ConfiguredStrategies.Register(new LlmRouterBuilder(services));

        configure?.Invoke(new LlmRouterBuilder(services));

        services.AddSingleton<RouterFactory>();
        services.AddSingleton(sp => sp.GetRequiredService<RouterFactory>().CreateRouter());
        return services.AddChatClient(sp => sp.GetRequiredService<LlmRouterChatClient>());
    }

    private sealed class NeverChangeTokenSource : IOptionsChangeTokenSource<LlmRoutingOptions>
    {
        public string Name => Microsoft.Extensions.Options.Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);
    }
}
