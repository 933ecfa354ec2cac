using LlmRouting.Statistics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Learning;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Keeps the adaptive router learning from labels while it runs.</summary>
public static class AdaptiveLearningLlmRouterBuilderExtensions
{
    /// <summary>Updates the adaptive strategy (<c>UseAdaptiveRouting</c>, required) from every label (<see cref="AdaptiveLearner"/>; turns on <c>UseRoutingLabels</c>).</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the refresh cadence, the watched model file and the retraining options.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Evidence goes to the container's <see cref="IRoutingStatisticsStore"/> (in memory unless one is registered; Redis with <c>AddLlmRoutingRedis</c>), so instances sharing it learn together.</remarks>
    public static LlmRouterBuilder UseAdaptiveLearning(this LlmRouterBuilder builder, Action<AdaptiveLearningOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        OptionsValidation.AddValidation<AdaptiveLearningOptions>(services, "LlmRouting:AdaptiveLearning");
        services.TryAddSingleton<IRoutingStatisticsStore, InMemoryRoutingStatisticsStore>();
        services.TryAddSingleton(static sp => new AdaptiveLearner(
            sp.GetService<AdaptiveRoutingStrategy>() ?? throw new InvalidOperationException("UseAdaptiveLearning needs UseAdaptiveRouting: there is no adaptive strategy to update."),
            sp.GetRequiredService<IRoutingStatisticsStore>(),
            sp.GetRequiredService<IRoutingLabelStore>(),
            sp.GetService<IOptions<AdaptiveLearningOptions>>()?.Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<AdaptiveLearner>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingLabelListener, AdaptiveLearner>(static sp => sp.GetRequiredService<AdaptiveLearner>()));
        return builder.UseRoutingLabels();
    }
}
