using Microsoft.Extensions.AI;
using LlmRouting.Costs;

namespace LlmRouting.Tests;

public class RoutingCostTests
{
    private static readonly TargetProfile Profile = new() { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m, CachedInputPricePerMillion = 1.25m };

    [Fact]
    public void InputAndOutput_ArePricedPerMillion()
    {
        Assert.Equal(0.0075m, RoutingCost.Compute(new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 500 }, Profile));
    }

    [Fact]
    public void CachedInput_IsBilledAtTheCachedPrice()
    {
        // 1 000 input of which 800 cached: 200 × 2.50 + 800 × 1.25 = 1 500 per million.
        Assert.Equal(0.0015m, RoutingCost.Compute(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 800 }, Profile));
    }

    [Fact]
    public void CachedInput_WithoutACachedPrice_CostsTheInputPrice()
    {
        var profile = new TargetProfile { InputPricePerMillion = 3m };
        Assert.Equal(0.003m, RoutingCost.Compute(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 1_000 }, profile));
    }

    [Fact]
    public void ReasoningTokens_AreBilledAsOutput_OnlyOnce()
    {
        // Providers count reasoning tokens inside the output count.
        var usage = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 2_000, ReasoningTokenCount = 1_500 };
        Assert.Equal(0.02m, RoutingCost.Compute(usage, Profile));
    }

    [Fact]
    public void NoUsage_NoCost()
    {
        Assert.Null(RoutingCost.Compute(null, Profile));
        Assert.Null(RoutingCost.Compute(new UsageDetails(), Profile));
    }

    [Fact]
    public void CachedCountAboveInput_IsClamped()
    {
        Assert.Equal(0.00125m, RoutingCost.Compute(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 5_000 }, Profile));
    }

    [Fact]
    public void DecimalArithmetic_IsExact()
    {
        var tiny = new TargetProfile { InputPricePerMillion = 0.1m, OutputPricePerMillion = 0.2m };
        decimal total = 0m;
        for (int i = 0; i < 1_000; i++)
        {
            total += RoutingCost.Compute(1, 1, 0, tiny);
        }

        Assert.Equal(0.0003m, total);
    }

    [Fact]
    public void Estimate_CapsExpectedOutputByMaxOutputTokens()
    {
        RoutingRequest request = Targets.Request(new string('x', 4_000), new ChatOptions { MaxOutputTokens = 100 });
        // 4 + 1 000 input tokens, min(100, 800) output.
        Assert.Equal(((1_004 * 2.50m) + (100 * 10m)) / 1_000_000m, RoutingCost.Estimate(request, Profile, expectedOutputTokens: 800));
    }

    [Fact]
    public async Task Savings_AgainstTheBaseline_UseTheSameTokens()
    {
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy", options: new LlmRouterChatClientOptions { Baseline = "premium" });

        RouteInfo route = (await router.GetResponseAsync("hello")).GetRouteInfo()!;

        Assert.Equal("premium", route.BaselineTarget);
        Assert.Equal(0.00045m, route.Cost);
        Assert.Equal(0.0075m, route.BaselineCost);
        Assert.Equal(0.00705m, route.Savings);
    }
}
