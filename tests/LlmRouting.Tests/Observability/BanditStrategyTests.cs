using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Learning;
using LlmRouting.Resilience;
using LlmRouting.Strategies;
using LlmRouting.Statistics;

namespace LlmRouting.Tests;

public sealed class BanditStrategyTests
{
    private static readonly TargetRegistry Registry = new(
    [
        new RouteTarget("premium", new TestChatClient("premium"), new TargetProfile { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m }),
        new RouteTarget("standard", new TestChatClient("standard"), new TargetProfile { InputPricePerMillion = 0.50m, OutputPricePerMillion = 1.50m }),
        new RouteTarget("economy", new TestChatClient("economy"), new TargetProfile { InputPricePerMillion = 0.05m, OutputPricePerMillion = 0.08m }),
    ]);

    [Fact]
    public async Task WithNoOutcomes_EveryTargetIsTriedBeforeAnyIsRepeated()
    {
        var store = new InMemoryRoutingStatisticsStore();
        var bandit = new BanditStrategy(store, options: new BanditOptions { ExplorationRate = 0, Random = new Random(1) });
        var request = new RoutingRequest("hello", ObservabilityFixtures.For(task: "chat"));
        var seen = new HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            RouteDecision decision = (await bandit.DecideAsync(request, RouteCandidates.All(Registry), CancellationToken.None))!;
            Assert.Equal(3, decision.Targets.Count);
            seen.Add(decision.Primary.Name);

            // A poor outcome: the optimistic prior of the untried targets now beats this one.
            await bandit.OnOutcomeAsync(Entry(decision.Primary.Name, "chat|low", 0m), 0.2, CancellationToken.None);
        }

        Assert.Equal(["economy", "premium", "standard"], seen.Order());
    }

    [Fact]
    public async Task ItChoosesOnlyAmongCandidates()
    {
        var store = new InMemoryRoutingStatisticsStore();
        var bandit = new BanditStrategy(store, options: new BanditOptions { ExplorationRate = 1, Random = new Random(3) });
        for (int i = 0; i < 20; i++)
        {
            await bandit.OnOutcomeAsync(Entry("premium", "chat|low", 0m), 1, CancellationToken.None);
        }

        // premium is by far the best, but a filter removed it.
        var candidates = new RouteCandidates(Registry, [Registry["standard"], Registry["economy"]], [new CandidateRejection("premium", "policy", "not allowed")]);
        var request = new RoutingRequest("hello", ObservabilityFixtures.For(task: "chat"));
        for (int i = 0; i < 50; i++)
        {
            RouteDecision decision = (await bandit.DecideAsync(request, candidates, CancellationToken.None))!;
            Assert.DoesNotContain(decision.Targets, t => t.Name == "premium");
        }
    }

    [Fact]
    public async Task ItAbstains_WhenNoneOfItsTargetsIsACandidate()
    {
        var options = new BanditOptions();
        options.Targets.Add("premium");
        var bandit = new BanditStrategy(new InMemoryRoutingStatisticsStore(), options: options);
        var candidates = new RouteCandidates(Registry, [Registry["economy"]]);

        Assert.Null(await bandit.DecideAsync(new RoutingRequest("hello"), candidates, CancellationToken.None));
    }

    [Fact]
    public async Task TheRewardIsScoreMinusWeightedCost_StoredPerContextAndTarget()
    {
        var store = new InMemoryRoutingStatisticsStore();
        var bandit = new BanditStrategy(store, options: new BanditOptions { CostWeight = 100 });

        await bandit.OnOutcomeAsync(Entry("premium", "code|high", 0.0075m), 0.9, CancellationToken.None);

        IReadOnlyDictionary<string, RoutingStatistic> stats = await store.GetAsync(["bandit:code|high:premium"]);
        RoutingStatistic stat = stats["bandit:code|high:premium"];
        Assert.Equal(1, stat.Count);
        Assert.Equal(0.9 - 0.75, stat.Sum, 12);
        Assert.Equal(0.9, bandit.Reward(0.9, null));
    }

    [Fact]
    public async Task TheDecisionExplainsItselfWithoutContent()
    {
        var bandit = new BanditStrategy(new InMemoryRoutingStatisticsStore(), options: new BanditOptions { ExplorationRate = 0 });
        RouteDecision decision = (await bandit.DecideAsync(new RoutingRequest("a secret question", ObservabilityFixtures.For(task: "chat")), RouteCandidates.All(Registry), CancellationToken.None))!;

        Assert.Equal(BanditStrategy.StrategyName, decision.Strategy);
        Assert.Equal("context chat|low: exploit, mean reward 1 over 0 outcomes", decision.Reason);
        Assert.Equal(1d, decision.Score);
    }

    [Theory]
    [InlineData(nameof(BanditOptions.ExplorationRate), -1d, "LlmRouting:Bandit:ExplorationRate must be from 0 to 1 (was -1).")]
    [InlineData(nameof(BanditOptions.CostWeight), -1d, "LlmRouting:Bandit:CostWeight must be a finite, non-negative number (was -1).")]
    [InlineData(nameof(BanditOptions.CostWeight), double.PositiveInfinity, "LlmRouting:Bandit:CostWeight must be a finite, non-negative number (was Infinity).")]
    [InlineData(nameof(BanditOptions.PriorMean), double.NaN, "LlmRouting:Bandit:PriorMean must be a finite number (was NaN).")]
    [InlineData(nameof(BanditOptions.PriorWeight), -1d, "LlmRouting:Bandit:PriorWeight must be a finite, positive number (was -1).")]
    [InlineData(nameof(BanditOptions.RewardNoise), 0d, "LlmRouting:Bandit:RewardNoise must be a finite, positive number (was 0).")]
    public void BadOptions_AreRejectedWithTheFieldNamed(string field, double value, string message)
    {
        var options = new BanditOptions();
        typeof(BanditOptions).GetProperty(field)!.SetValue(options, value);

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => new BanditStrategy(new InMemoryRoutingStatisticsStore(), options: options));
        Assert.Equal([message], ex.Failures);
    }

    [Fact]
    public async Task UseBandit_WiresTheStrategyFeedbackAndStore()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseBandit(o => o.Random = new Random(5)));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        ChatResponse response = await chat.GetResponseAsync("hello", ObservabilityFixtures.For(task: "chat"));
        RouteInfo route = response.GetRouteInfo()!;

        // The rule strategy abstained for "hello", so the bandit decided.
        Assert.Equal(BanditStrategy.StrategyName, route.Strategy);
        Assert.Equal(RouteFeedbackResult.Recorded, await provider.GetRequiredService<RouteFeedback>().RecordOutcomeAsync(route.RouteId, 1));

        BanditStrategy bandit = provider.GetRequiredService<BanditStrategy>();
        string key = bandit.Key("chat|low", route.Target);
        RoutingStatistic stat = (await provider.GetRequiredService<IRoutingStatisticsStore>().GetAsync([key]))[key];
        Assert.Equal(1, stat.Count);
        Assert.Equal(bandit.Reward(1, route.Cost), stat.Sum, 12);
    }

    [Fact]
    public async Task ThroughTheRouter_ItNeverRoutesAroundTheDataPolicy_EvenWhenTheForbiddenTargetLearnedBest()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("on-prem", new TestChatClient("on-prem"));
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Prices(2.50m, 10m))
            .AddTarget("on-prem", t => t.Prices(0.05m, 0.08m).Tags("on-prem"))
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .UseBandit(o =>
            {
                o.ExplorationRate = 1;
                o.CostWeight = 0;
                o.Random = new Random(11);
            })
            .Default("on-prem"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        RouteFeedback feedback = provider.GetRequiredService<RouteFeedback>();
        ChatOptions sensitive = ObservabilityFixtures.For(task: "chat");
        sensitive.AdditionalProperties![RequestMetadataKeys.Tags] = "sensitive";

        // Teach it that premium is perfect and on-prem useless on ordinary requests of the same context.
        for (int i = 0; i < 40; i++)
        {
            RouteInfo route = (await chat.GetResponseAsync("hello", ObservabilityFixtures.For(task: "chat"))).GetRouteInfo()!;
            await feedback.RecordOutcomeAsync(route.RouteId, route.Target == "premium" ? 1 : 0);
        }

        BanditStrategy bandit = provider.GetRequiredService<BanditStrategy>();
        IReadOnlyDictionary<string, RoutingStatistic> learned = await provider.GetRequiredService<IRoutingStatisticsStore>().GetAsync([bandit.Key("chat|low", "premium")]);
        Assert.True(learned[bandit.Key("chat|low", "premium")].Mean > 0.9);

        for (int i = 0; i < 40; i++)
        {
            RouteInfo route = (await chat.GetResponseAsync("hello", sensitive)).GetRouteInfo()!;
            Assert.Equal("on-prem", route.Target);
            Assert.Equal(BanditStrategy.StrategyName, route.Strategy);
            Assert.Contains(route.Rejections, r => r.Target == "premium");
            Assert.DoesNotContain(route.Decision.Targets, t => t.Name == "premium");
        }
    }

    private static RouteFeedbackEntry Entry(string target, string context, decimal cost) =>
        new(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, target, BanditStrategy.StrategyName, context, null, null, RouteOutcome.Succeeded, cost, 10, []);
}
