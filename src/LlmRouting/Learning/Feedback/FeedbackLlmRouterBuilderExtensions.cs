using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using LlmRouting.Configuration;
using LlmRouting.Learning;
using LlmRouting.Statistics;

namespace LlmRouting;

/// <summary>Adds outcome feedback to the router.</summary>
public static class FeedbackLlmRouterBuilderExtensions
{
    /// <summary>The path validation failures of <see cref="RouteFeedbackOptions"/> are named under.</summary>
    internal const string OptionsPath = "OutcomeFeedback";

    /// <summary>Remembers recent routes so outcomes can be reported with <see cref="RouteFeedback.RecordOutcomeAsync"/> (resolve <see cref="RouteFeedback"/> from the container).</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets capacity and retention.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseOutcomeFeedback(this LlmRouterBuilder builder, Action<RouteFeedbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        AddServices(builder.Services);
        return builder.AddObserver<RouteFeedback>();
    }

    /// <summary>Registers <see cref="RouteFeedback"/> (a singleton passing outcomes to the registered <see cref="IRouteOutcomeListener"/>s) and its options' start-up validation; it remembers routes only as one of the router's observers.</summary>
    /// <param name="services">The router's services.</param>
    internal static void AddServices(IServiceCollection services)
    {
        OptionsValidation.AddValidation<RouteFeedbackOptions>(services, OptionsPath);
        services.TryAddSingleton<IRouteContextSelector>(DefaultRouteContextSelector.Instance);
        services.TryAddSingleton(sp => new RouteFeedback(
            sp.GetServices<IRouteOutcomeListener>(),
            sp.GetRequiredService<IRouteContextSelector>(),
            sp.GetService<Microsoft.Extensions.Options.IOptions<RouteFeedbackOptions>>()?.Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<RouteFeedback>>()));
    }
}
