using LlmRouting.Statistics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Learning;

namespace LlmRouting;

/// <summary>Turns outcomes into routing labels.</summary>
public static class LabelsLlmRouterBuilderExtensions
{
    /// <summary>Records every outcome as a label (<see cref="RoutingLabels"/>): outcome scores, escalations and, with <c>UseQualityAudits</c>, audit verdicts.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the store capacity, pending routes, feature size and whether text is kept.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Labels go to the container's <see cref="IRoutingLabelStore"/>: an <see cref="InMemoryRoutingLabelStore"/> unless one
    /// is registered (<c>AddLlmRoutingRedis</c> registers a Redis one). Turns on outcome feedback. Calling it again only
    /// applies <paramref name="configure"/>.
    /// </remarks>
    public static LlmRouterBuilder UseRoutingLabels(this LlmRouterBuilder builder, Action<RoutingLabelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        OptionsValidation.AddValidation<RoutingLabelOptions>(services, "LlmRouting:Labels");
        services.TryAddSingleton<IRoutingLabelStore>(static sp => new InMemoryRoutingLabelStore(Options(sp).Capacity));
        services.TryAddSingleton(static sp => new RoutingLabels(
            sp.GetRequiredService<IRoutingLabelStore>(),
            sp.GetServices<IRoutingLabelListener>(),
            Options(sp),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<RoutingLabels>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteOutcomeListener, RoutingLabels>(static sp => sp.GetRequiredService<RoutingLabels>()));
        builder.UseOutcomeFeedback();
        return builder.AddObserver<RoutingLabels>();
    }

    private static RoutingLabelOptions Options(IServiceProvider services) =>
        services.GetService<IOptions<RoutingLabelOptions>>()?.Value ?? new RoutingLabelOptions();
}
