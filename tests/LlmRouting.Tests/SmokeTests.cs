using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Tests;

public class SmokeTests
{
    [Fact]
    public async Task IssueExample_RoutesByRulesAndReportsCost()
    {
        var premium = new TestChatClient("premium");
        var economy = new TestChatClient("economy");
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", premium);
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Prices(input: 2.50m, output: 10m).ContextWindow(128_000).Supports(ModelCapabilities.Tools | ModelCapabilities.Vision))
            .AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m).ContextWindow(16_000))
            .UseRules(rules => rules
                .When(req => req.Metadata("tier") == "free").RouteTo("economy")
                .When(req => req.ContainsAny("stack trace", "exception")).RouteTo("premium"))
            .Default("economy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        ChatResponse response = await chat.GetResponseAsync("Why does this throw a NullReferenceException?");

        RouteInfo route = Assert.IsType<RouteInfo>(response.GetRouteInfo());
        Assert.Equal("premium", route.Target);
        Assert.Equal("rules", route.Strategy);
        Assert.Equal(1, premium.Calls);
        Assert.Equal(0, economy.Calls);
        Assert.Equal((1000 * 2.50m + 500 * 10m) / 1_000_000m, route.Cost);
    }
}
