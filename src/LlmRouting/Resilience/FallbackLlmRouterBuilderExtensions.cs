using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Resilience;

namespace LlmRouting;

/// <summary>Adds failover, retries, circuit breakers and timeouts to a router.</summary>
public static class FallbackLlmRouterBuilderExtensions
{
    /// <summary>Falls over to the decision's next targets (then the last-resort chain and other candidates) on transient failures, with a Polly pipeline per target.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Adjusts the fallback and per-target resilience options.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseFallback(this LlmRouterBuilder builder, Action<FallbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new FallbackOptions();
        configure?.Invoke(options);
        if (!builder.RegisterStage("UseFallback"))
        {
            return builder;
        }

        IServiceCollection services = builder.Services;
        services.AddSingleton(options);
        builder.UseExecutor("UseFallback", sp => new FallbackRouteExecutor(options, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ResponseEscalator>()));
        builder.ValidateOnBuild(options, "Fallback");
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmRoutingOptions>, FallbackOptionsValidator>());
        if (options.UseTargetResilience)
        {
            services.AddSingleton(sp => new TargetHealthMonitor(options.Resilience, sp.GetService<TimeProvider>()));
            builder.AddFilter<HealthFilter>();
            builder.DecorateTargets(d => new ResilientTargetChatClient(d.Client, d.Services.GetRequiredService<TargetHealthMonitor>().GetCircuit(d.TargetName)));
        }

        return builder;
    }
}
