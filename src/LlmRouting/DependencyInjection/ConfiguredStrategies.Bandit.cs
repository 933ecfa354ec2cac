using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Configuration;
using LlmRouting.Learning;
using LlmRouting.Statistics;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>The configured bandit (see <see cref="ConfiguredStrategies"/>): what <c>UseBandit</c> turns on, turned on by listing <c>bandit</c>.</summary>
internal static partial class ConfiguredStrategies
{
    /// <summary>
    /// Outcome feedback for the configured bandit, as <c>UseBandit</c> has it: <see cref="RouteFeedback"/> in the container,
    /// passing outcomes to the bandit, and one of the router's observers when the router starts with <c>bandit</c> listed
    /// (observers are made once per router, so a router that does not list it remembers no routes).
    /// </summary>
    private static void RegisterBanditFeedback(LlmRouterBuilder builder, bool feedbackInCode)
    {
        FeedbackLlmRouterBuilderExtensions.AddServices(builder.Services);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteOutcomeListener, ConfiguredStrategyState>(static sp => sp.GetRequiredService<ConfiguredStrategyState>()));
        if (!feedbackInCode)
        {
            builder.Observers.Add(new(typeof(RouteFeedback), static sp => sp.GetRequiredService<ConfiguredStrategyState>().FeedbackObserver(sp), Origin));
        }
    }

    /// <summary>The bandit from <c>LlmRouting:Bandit</c>, built as <c>UseBandit</c> builds it; rebuilt on reload, its rewards kept in the statistics store.</summary>
    private static BanditStrategy CreateBandit(IServiceProvider services, LlmRoutingOptions routing) =>
        services.GetRequiredService<ConfiguredStrategyState>().Bandit(services, Bind(services, BanditOptions.SectionName, new BanditOptions()), routing);

    /// <summary>The observer of a router that does not list <c>bandit</c> at start-up in place of outcome feedback: it does nothing.</summary>
    private sealed class NoRouteObserver : IRouteObserver
    {
        public static readonly NoRouteObserver Instance = new();

        public void OnRouteCompleted(RouteInfo route)
        {
        }
    }
}
