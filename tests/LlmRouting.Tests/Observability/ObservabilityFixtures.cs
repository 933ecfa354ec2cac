using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Statistics;

namespace LlmRouting.Tests;

/// <summary>A router over two fake targets (premium, economy) answering 1,000 input and 500 output tokens each.</summary>
internal static class ObservabilityFixtures
{
    // 1000 × 2.50/1M + 500 × 10/1M
    public const decimal PremiumCost = 0.0075m;

    // 1000 × 0.15/1M + 500 × 0.60/1M
    public const decimal EconomyCost = 0.00045m;

    public static ServiceProvider Build(Action<LlmRouterBuilder> configure, IChatClient? premium = null, TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddKeyedChatClient("premium", premium ?? new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", t => t.Prices(2.50m, 10m).Supports(ModelCapabilities.Tools).Tier(QualityTier.Premium))
             .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Supports(ModelCapabilities.None).Tier(QualityTier.Economy))
             .UseRules(rules => rules.WhenContainsAny("exception").Named("errors").RouteTo("premium"))
             .Default("economy")
             .Baseline("premium");
            configure(r);
        });
        return services.BuildServiceProvider();
    }

    public static ChatOptions For(string? tenant = null, string? user = null, string? task = null)
    {
        var options = new ChatOptions { AdditionalProperties = [] };
        if (tenant is not null)
        {
            options.AdditionalProperties[RequestMetadataKeys.Tenant] = tenant;
        }

        if (user is not null)
        {
            options.AdditionalProperties[RequestMetadataKeys.User] = user;
        }

        if (task is not null)
        {
            options.AdditionalProperties[DefaultRouteContextSelector.TaskMetadataKey] = task;
        }

        return options;
    }
}
