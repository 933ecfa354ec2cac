using LlmRouting.Costs;
using LlmRouting;
using LlmRouting.Accounting;
using LlmRouting.Configuration;
using LlmRouting.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers named routers: several per application, each its own keyed <see cref="IChatClient"/>, configuration section, options, ledger and health state.</summary>
public static class NamedLlmRouterServiceCollectionExtensions
{
    /// <summary>The configuration section named routers bind from by default: <c>LlmRouters:{name}</c>.</summary>
    public const string SectionName = "LlmRouters";

    /// <summary>Registers a router named <paramref name="name"/> as the keyed <see cref="IChatClient"/> and <see cref="LlmRouterChatClient"/> <paramref name="name"/>, configured in code and from the <c>LlmRouters:{name}</c> section when an <see cref="IConfiguration"/> is registered.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The router's name: its service key and configuration section.</param>
    /// <param name="configure">Adds targets, rules and strategies.</param>
    /// <returns>A <see cref="ChatClientBuilder"/> to add decorators around this router (caching, telemetry, logging), outermost first.</returns>
    /// <exception cref="InvalidOperationException">A router with this name is already registered.</exception>
    /// <remarks>
    /// <para>
    /// Resolve it with <c>[FromKeyedServices("name")] IChatClient</c> or <c>GetRequiredKeyedService&lt;IChatClient&gt;("name")</c>;
    /// the unnamed <c>AddLlmRouter</c> router, if any, is unaffected. What the router's extensions register (its ledger,
    /// target health, budget store, metrics …) lives in services of its own, never shared with another router; provider
    /// clients, logging, time, metrics, configuration, a distributed cache and an embedding generator come from the
    /// application. Its ledger and budget store, when it has them, are also registered under its name
    /// (<c>GetRequiredKeyedService&lt;IRoutingLedger&gt;("name")</c>).
    /// </para>
    /// <para>Options are validated on start (and when the router is first resolved); reloads of its section swap its state atomically.</para>
    /// </remarks>
    public static ChatClientBuilder AddLlmRouter(this IServiceCollection services, string name, Action<LlmRouterBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddNamed(services, name, configuration: null, configure);
    }

    /// <summary>Registers a router named <paramref name="name"/>, bound from <paramref name="configuration"/> and refined in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The router's name: its service key.</param>
    /// <param name="configuration">The section holding its targets, rules, strategies, default and baseline.</param>
    /// <param name="configure">Further configuration in code, applied after binding.</param>
    /// <returns>A <see cref="ChatClientBuilder"/> to add decorators around this router.</returns>
    /// <exception cref="InvalidOperationException">A router with this name is already registered.</exception>
    public static ChatClientBuilder AddLlmRouter(this IServiceCollection services, string name, IConfiguration configuration, Action<LlmRouterBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddNamed(services, name, configuration, configure);
    }

    private static ChatClientBuilder AddNamed(IServiceCollection services, string name, IConfiguration? configuration, Action<LlmRouterBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(LlmRouterChatClient) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A router named '{name}' is already registered: AddLlmRouter(\"{name}\", …) was called twice. Configure it in one call, or give the second router another name.");
        }

        // The router's own services: what its extensions register stays its own (ledger, health, budgets, options validators).
        var own = new ServiceCollection();
        own.AddSingleton(new RouterName(name));
        var builder = new LlmRouterBuilder(own, attached: true) { Configuration = configuration };
        configure?.Invoke(builder);
        ConfiguredStrategies.Register(builder);

        services.AddKeyedSingleton(name, (sp, _) => new NamedRouterServices(own, sp));
        services.AddKeyedSingleton(name, (sp, _) => Build(builder, name, sp));
        if (own.Any(d => d.ServiceType == typeof(IRoutingLedger)))
        {
            services.AddKeyedSingleton(name, (sp, _) => Services(sp, name).GetRequiredService<IRoutingLedger>());
        }

        if (own.Any(d => d.ServiceType == typeof(IBudgetStore)))
        {
            services.AddKeyedSingleton(name, (sp, _) => Services(sp, name).GetRequiredService<IBudgetStore>());
        }

        // Start-up validation of this router's composition and options, with every failure named (as for the unnamed router).
        services.AddSingleton<IValidateOptions<NamedRouterCheck>>(sp => new NamedRouterValidator(name, builder, sp));
        services.AddOptions<NamedRouterCheck>(name).ValidateOnStart();
        return services.AddKeyedChatClient(name, sp => sp.GetRequiredKeyedService<LlmRouterChatClient>(name));
    }

    private static NamedRouterServices Services(IServiceProvider services, string name) => services.GetRequiredKeyedService<NamedRouterServices>(name);

    private static LlmRouterChatClient Build(LlmRouterBuilder builder, string name, IServiceProvider app)
    {
        NamedRouterServices services = Services(app, name);
        UseDefaultSection(builder, name, services);
        return builder.Build(services);
    }

    /// <summary>Without a section of its own, a named router binds from <c>LlmRouters:{name}</c> of the registered configuration.</summary>
    private static void UseDefaultSection(LlmRouterBuilder builder, string name, IServiceProvider services)
    {
        lock (builder)
        {
            builder.Configuration ??= services.GetService<IConfiguration>()?.GetSection($"{SectionName}:{name}");
        }
    }

    /// <summary>The start-up check of one named router (an options type with nothing to configure; its validator composes the router's options).</summary>
    private sealed class NamedRouterCheck;

    private sealed class NamedRouterValidator(string name, LlmRouterBuilder builder, IServiceProvider app) : IValidateOptions<NamedRouterCheck>
    {
        public ValidateOptionsResult Validate(string? optionsName, NamedRouterCheck options)
        {
            if (!string.Equals(optionsName, name, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            NamedRouterServices services = Services(app, name);
            UseDefaultSection(builder, name, services);
            new RouterFactory(builder, services).Compose(out List<string> failures);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => $"router '{name}': {f}"));
        }
    }
}
