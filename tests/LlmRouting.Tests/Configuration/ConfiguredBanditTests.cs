using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Learning;
using LlmRouting.Statistics;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>The contextual bandit from configuration alone (<c>"Strategies": ["bandit"]</c>), read and checked as <c>UseBandit</c> reads and checks it.</summary>
public class ConfiguredBanditTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Bandit_FromConfigurationAlone_RoutesAndLearnsFromAnOutcome(bool registerStore)
    {
        var store = new InMemoryRoutingStatisticsStore();
        using ServiceProvider provider = ConfiguredStrategiesTests.Build(
            new()
            {
                ["LlmRouting:Strategies:0"] = "bandit",
                ["LlmRouting:Bandit:ExplorationRate"] = "0",
                ["LlmRouting:Bandit:CostWeight"] = "0",
                ["LlmRouting:Bandit:KeyPrefix"] = "configured",
            },
            register: registerStore ? s => s.AddSingleton<IRoutingStatisticsStore>(store) : null);
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        BanditStrategy bandit = Assert.IsType<BanditStrategy>(Assert.Single(router.Strategies));
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        RouteInfo first = (await chat.GetResponseAsync("hello", ObservabilityFixtures.For(task: "chat"))).GetRouteInfo()!;
        Assert.Equal(BanditStrategy.StrategyName, first.Strategy);
        Assert.Equal(RouteFeedbackResult.Recorded, await provider.GetRequiredService<RouteFeedback>().RecordOutcomeAsync(first.RouteId, 0));

        // A poor outcome: the optimistic prior of the untried target now beats the first one.
        RouteInfo second = (await chat.GetResponseAsync("hello", ObservabilityFixtures.For(task: "chat"))).GetRouteInfo()!;
        Assert.NotEqual(first.Target, second.Target);
        Assert.Equal(RouteFeedbackResult.Recorded, await router.RecordOutcomeAsync(second.RouteId, 1));

        if (registerStore)
        {
            // Both outcomes are in the registered store, under the configured prefix.
            IReadOnlyDictionary<string, RoutingStatistic> stats = await store.GetAsync([bandit.Key("chat|low", first.Target), bandit.Key("chat|low", second.Target)]);
            Assert.Equal([(1L, 0d), (1L, 1d)], stats.OrderBy(s => s.Value.Sum).Select(s => (s.Value.Count, s.Value.Sum)));
            Assert.All(stats.Keys, k => Assert.StartsWith("configured:chat|low:", k, StringComparison.Ordinal));
        }
        else
        {
            // Without one the rewards stay in memory for the router; no store is registered for other features to pick up.
            Assert.Null(provider.GetService<IRoutingStatisticsStore>());
        }
    }

    [Theory]
    [InlineData("LlmRouting:Bandit:ExplorationRate", "2", "LlmRouting:Bandit:ExplorationRate must be from 0 to 1 (was 2).")]
    [InlineData("LlmRouting:Bandit:KeyPrefix", " ", "LlmRouting:Bandit:KeyPrefix must not be empty.")]
    [InlineData("LlmRouting:Bandit:PriorWeight", "many", "LlmRouting:Bandit:PriorWeight 'many' is not a valid number")]
    [InlineData("LlmRouting:Bandit:CostWeigth", "1", "LlmRouting:Bandit:CostWeigth is not a known setting (known: CostWeight, ExplorationRate, PriorMean, PriorWeight, RewardNoise, Targets, KeyPrefix). Did you mean 'CostWeight'?")]
    [InlineData("LlmRouting:Bandit:Targets:0", "gold", "LlmRouting:Bandit:Targets names 'gold', which is not a configured target (known targets: premium, economy).")]
    public void Bandit_ABadSection_FailsAtStartUpNamingTheField_AsUseBanditDoes(string key, string value, string expected)
    {
        using ServiceProvider configured = ConfiguredStrategiesTests.Build(new() { ["LlmRouting:Strategies:0"] = "bandit", [key] = value });
        using ServiceProvider inCode = ConfiguredStrategiesTests.Build(new() { [key] = value }, r => r.UseBandit());

        OptionsValidationException fromConfiguration = Assert.Throws<OptionsValidationException>(() => configured.GetRequiredService<LlmRouterChatClient>());
        OptionsValidationException fromCode = Assert.Throws<OptionsValidationException>(() => inCode.GetRequiredService<LlmRouterChatClient>());

        Assert.StartsWith(expected, Assert.Single(fromConfiguration.Failures), StringComparison.Ordinal);
        Assert.Equal(fromConfiguration.Failures, fromCode.Failures);
    }

    [Fact]
    public void AMisspeltStrategy_IsToldTheRegisteredNames_BanditAmongThem()
    {
        using ServiceProvider provider = ConfiguredStrategiesTests.Build(new() { ["LlmRouting:Strategies:0"] = "bandti" });

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains("LlmRouting:Strategies[0] 'bandti' is not a registered strategy (registered: rules, classifier, cost-aware, embedding, least-in-flight, lowest-latency, power-of-two, weighted-split, consistent-hash, hybrid, adaptive, bandit, judge). Did you mean 'bandit'?", e.Failures);
    }

    [Fact]
    public void UseBandit_ReadsTheBanditSection_CodeOverridesIt_AndReplacesTheConfiguredBandit()
    {
        using ServiceProvider provider = ConfiguredStrategiesTests.Build(
            new() { ["LlmRouting:Strategies:0"] = "bandit", ["LlmRouting:Bandit:KeyPrefix"] = "from-configuration", ["LlmRouting:Bandit:CostWeight"] = "5" },
            r => r.UseBandit(o => o.CostWeight = 0));

        BanditStrategy bandit = provider.GetRequiredService<BanditStrategy>();
        Assert.Same(bandit, Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
        Assert.Equal("from-configuration:chat|low:premium", bandit.Key("chat|low", "premium"));
        Assert.Equal(1d, bandit.Reward(1, cost: 0.1m));
    }

    [Fact]
    public async Task WithOutcomeFeedbackSetUpInCode_TheConfiguredBanditLearnsThroughIt()
    {
        using ServiceProvider provider = ConfiguredStrategiesTests.Build(
            new() { ["LlmRouting:Strategies:0"] = "bandit", ["LlmRouting:Bandit:ExplorationRate"] = "0" },
            r => r.UseOutcomeFeedback(o => o.Capacity = 10));
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        RouteInfo first = (await chat.GetResponseAsync("hello", ObservabilityFixtures.For(task: "chat"))).GetRouteInfo()!;
        Assert.Equal(RouteFeedbackResult.Recorded, await router.RecordOutcomeAsync(first.RouteId, 0));
        RouteInfo second = (await chat.GetResponseAsync("hello", ObservabilityFixtures.For(task: "chat"))).GetRouteInfo()!;

        Assert.Equal((BanditStrategy.StrategyName, BanditStrategy.StrategyName), (first.Strategy, second.Strategy));
        Assert.NotEqual(first.Target, second.Target);
        Assert.Same(provider.GetRequiredService<RouteFeedback>(), router.GetService<RouteFeedback>());
    }

    [Fact]
    public async Task ARouterThatDoesNotListBandit_RemembersNoRoutes()
    {
        using ServiceProvider provider = ConfiguredStrategiesTests.Build([]);
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello")).GetRouteInfo()!;

        Assert.Equal(0, provider.GetRequiredService<RouteFeedback>().Count);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await router.RecordOutcomeAsync(route.RouteId, 1));
    }

    [Fact]
    public void ListingBanditOnReload_IsRefused_BecauseOutcomeFeedbackStartsWithTheRouter()
    {
        var logs = new FakeLogCollector();
        using ServiceProvider provider = ConfiguredStrategiesTests.BuildReloadable(out IConfigurationRoot root, logs, _ => { });
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();

        root["LlmRouting:Strategies:0"] = "bandit";
        root.Reload();

        FakeLogRecord failed = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1009);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("LlmRouting:Strategies lists 'bandit', but outcome feedback, which it learns from, is off: it is turned on when the router starts with 'bandit' listed. Restart to list it, or call UseBandit() in code.", failed.Exception!.Message, StringComparison.Ordinal);
        Assert.Empty(router.Strategies);
    }
}
