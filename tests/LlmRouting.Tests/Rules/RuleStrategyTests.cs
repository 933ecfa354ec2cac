using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class RuleStrategyTests
{
    private static RuleStrategy Rules(Action<RuleSetBuilder> configure)
    {
        var options = new List<RuleOptions>();
        configure(new RuleSetBuilderAccessor(options).Builder);
        return new RuleStrategy(options.Select((o, i) => RoutingRule.FromOptions(o, i + 1)));
    }

    [Fact]
    public async Task FirstMatchingRuleWins()
    {
        RuleStrategy strategy = Rules(r => r
            .WhenContainsAny("invoice").RouteTo("economy")
            .WhenContainsAny("invoice", "exception").RouteTo("premium"));

        RouteDecision? decision = await strategy.DecideAsync(Targets.Request("invoice exception"), RouteCandidates.All(Targets.Registry()), default);

        Assert.Equal("economy", decision?.Primary.Name);
        Assert.Equal("rule #1 (contains any of 1 term)", decision?.Reason);
    }

    [Fact]
    public async Task NoMatch_Abstains()
    {
        RuleStrategy strategy = Rules(r => r.WhenContainsAny("invoice").RouteTo("economy"));
        Assert.Null(await strategy.DecideAsync(Targets.Request("hello"), RouteCandidates.All(Targets.Registry()), default));
    }

    [Fact]
    public async Task FallbacksFollowThePrimary_InOrder()
    {
        RuleStrategy strategy = Rules(r => r.WhenContainsAny("x").Named("chain").RouteTo("premium", "on-prem", "economy"));
        TargetRegistry registry = Targets.Registry(Targets.Premium(), Targets.Economy(), Targets.OnPrem());

        RouteDecision? decision = await strategy.DecideAsync(Targets.Request("x"), RouteCandidates.All(registry), default);

        Assert.Equal(["premium", "on-prem", "economy"], decision!.Targets.Select(t => t.Name));
    }

    [Fact]
    public async Task RuleWhoseTargetIsNotACandidate_IsSkipped()
    {
        RuleStrategy strategy = Rules(r => r
            .WhenContainsAny("x").RouteTo("premium")
            .WhenContainsAny("x").RouteTo("economy"));
        TargetRegistry registry = Targets.Registry();
        var candidates = new RouteCandidates(registry, [registry["economy"]], [new CandidateRejection("premium", "test", "excluded")]);

        RouteDecision? decision = await strategy.DecideAsync(Targets.Request("x"), candidates, default);

        Assert.Equal("economy", decision?.Primary.Name);
    }

    [Fact]
    public async Task FallbackThatIsNotACandidate_IsDropped()
    {
        RuleStrategy strategy = Rules(r => r.WhenContainsAny("x").RouteTo("premium", "economy"));
        TargetRegistry registry = Targets.Registry();
        var candidates = new RouteCandidates(registry, [registry["premium"]]);

        RouteDecision? decision = await strategy.DecideAsync(Targets.Request("x"), candidates, default);

        Assert.Equal(["premium"], decision!.Targets.Select(t => t.Name));
    }

    [Fact]
    public void WhenMetadata_AndWhenMatches_BuildDeclarativeRules()
    {
        var options = new List<RuleOptions>();
        new RuleSetBuilderAccessor(options).Builder
            .WhenMetadata("tier", "free").RouteTo("economy")
            .WhenMatches(@"\bSQL\b").RouteTo("premium");

        Assert.Equal("free", options[0].Metadata["tier"]);
        Assert.Equal(@"\bSQL\b", options[1].Regex);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options[1].RegexTimeout);
    }

    /// <summary>Reaches the internal constructor the DI builder uses.</summary>
    private sealed class RuleSetBuilderAccessor(List<RuleOptions> options)
    {
        public RuleSetBuilder Builder { get; } = new(options);
    }
}
