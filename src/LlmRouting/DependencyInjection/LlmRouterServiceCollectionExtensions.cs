using LlmRouting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using LlmRouting.Configuration;

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
        if (services.Any(d => !d.IsKeyedService && d.ServiceType == typeof(LlmRouterChatClient)))
        {
            throw new InvalidOperationException("AddLlmRouter has already been called on this service collection; configure everything in one call, or register a second router under a name: AddLlmRouter(\"name\", …).");
        }

        // The builder is the composition root; the container only supplies keyed clients and dependencies.
        var builder = new LlmRouterBuilder(services, attached: true) { Configuration = configuration };
        configure?.Invoke(builder);

        // Every built-in strategy that code did not register, turned on by listing its name in LlmRouting:Strategies.
        ConfiguredStrategies.Register(builder);

        // IOptions<LlmRoutingOptions> shows the same options the router builds from (configuration bound strictly, then
        // code), and ValidateOnStart fails the host with every binding, wiring and validation failure.
        OptionsBuilder<LlmRoutingOptions> options = services.AddOptions<LlmRoutingOptions>();
        options.Configure<IServiceProvider>((o, sp) =>
        {
            var failures = new List<string>();
            RouterFactory.Populate(builder, RouterFactory.ResolveSection(builder, sp), o, failures);
            LlmRoutingOptionsValidator.SetBindingFailures(o, failures);
        });
        services.AddSingleton<IOptionsChangeTokenSource<LlmRoutingOptions>>(sp =>
            RouterFactory.ResolveSection(builder, sp) is { } section
                ? new ConfigurationChangeTokenSource<LlmRoutingOptions>(section)
                : new NeverChangeTokenSource());
        services.AddSingleton<IValidateOptions<LlmRoutingOptions>>(sp => new LlmRoutingOptionsValidator(builder, sp));
        options.ValidateOnStart();

        services.AddSingleton(sp => builder.Build(sp));
        return services.AddChatClient(sp => sp.GetRequiredService<LlmRouterChatClient>());
    }

    private sealed class NeverChangeTokenSource : IOptionsChangeTokenSource<LlmRoutingOptions>
    {
        public string Name => Microsoft.Extensions.Options.Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);
    }
}
