using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace LlmRouting.Tests;

public class CallerModelIdTests
{
    [Theory]
    [InlineData("premium")]
    [InlineData("PREMIUM")]
    [InlineData("gpt-premium")]
    public async Task ACallersModelIdNamingATargetOrItsModel_PinsTheRequest(string modelId)
    {
        var premium = new TestChatClient("premium");
        using var router = new LlmRouterChatClient(Targets.Registry(Targets.Premium(premium), Targets.Economy()), "economy");

        ChatResponse response = await router.GetResponseAsync("hello", new ChatOptions { ModelId = modelId });

        RouteInfo route = response.GetRouteInfo()!;
        Assert.Equal(("premium", "pinned"), (route.Target, route.Strategy));
        Assert.Contains("names target 'premium'", route.Reason, StringComparison.Ordinal);
        Assert.Equal("gpt-premium", premium.LastOptions?.ModelId); // the target's own id, never the caller's spelling
        Assert.Equal(((1000 * 2.50m) + (500 * 10m)) / 1_000_000m, route.Cost);
    }

    [Fact]
    public async Task APin_StillObeysTheFilters()
    {
        // Economy lacks tools: a caller pinning it with a tool request is routed as usual.
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy");
        var options = new ChatOptions { ModelId = "economy", Tools = [AIFunctionFactory.Create(() => 1, "one")] };

        RouteInfo route = (await router.GetResponseAsync("hello", options)).GetRouteInfo()!;

        Assert.Equal("premium", route.Target);
        Assert.NotEqual("pinned", route.Strategy);
    }

    [Fact]
    public async Task AnUnknownCallerModelId_NeverReachesATarget_AndIsWarnedAboutOnce()
    {
        var economy = new TestChatClient("economy");
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(l => l.AddProvider(new FakeLoggerProvider(logs)));
        using var router = new LlmRouterChatClient(
            Targets.Registry(Targets.Premium(), Targets.Economy(economy)), "economy", options: new LlmRouterChatClientOptions { LoggerFactory = loggers });
        var options = new ChatOptions { ModelId = "gpt-4o" };

        RouteInfo first = (await router.GetResponseAsync("hello", options)).GetRouteInfo()!;
        await router.GetResponseAsync("hello again", options);

        Assert.Equal("economy", first.Target);
        Assert.Null(economy.LastOptions?.ModelId); // economy has no model id: its client's default, not gpt-4o
        Assert.Equal("gpt-4o", options.ModelId);    // the caller's options are untouched
        Assert.Equal(((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m, first.Cost);
        FakeLogRecord warning = Assert.Single(logs.GetSnapshot(), l => l.Id.Id == 1010);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.DoesNotContain("gpt-4o", warning.Message, StringComparison.Ordinal); // a caller's value is not logged
    }

    [Fact]
    public async Task IgnoreMode_RoutesAsUsual_AndStillSendsOnlyTheTargetsOwnModelId()
    {
        var premium = new TestChatClient("premium");
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", premium, t => t.ModelId("gpt-premium").Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", new TestChatClient("economy"), t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .UseRules(rules => rules.When(req => req.ContainsAny("hard"), "hard").RouteTo("premium"))
            .Configure(o => o.CallerModelIds = CallerModelIdMode.Ignore)
            .Default("economy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient router = provider.GetRequiredService<IChatClient>();

        Assert.Equal("economy", (await router.GetResponseAsync("easy", new ChatOptions { ModelId = "premium" })).GetRouteInfo()?.Target);
        await router.GetResponseAsync("hard", new ChatOptions { ModelId = "economy" });
        Assert.Equal("gpt-premium", premium.LastOptions?.ModelId);
    }
}
