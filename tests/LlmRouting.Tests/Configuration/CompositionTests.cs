using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

/// <summary>The composition root: one <see cref="LlmRouterBuilder.Build"/> for code without DI and for <c>AddLlmRouter</c>, and wiring mistakes named at build time.</summary>
public class CompositionTests
{
    private static TestChatClient Down(string name) => new(name)
    {
        GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable),
    };

    private static LlmRouterBuilder TwoTargets() =>
        new LlmRouterBuilder().AddTarget("premium", new TestChatClient("premium")).AddTarget("economy", new TestChatClient("economy")).Default("economy");

    private static OptionsValidationException BuildFails(LlmRouterBuilder builder) =>
        Assert.Throws<OptionsValidationException>(() => builder.Build());

    [Fact]
    public async Task WithoutAContainer_AFullRouterWithRulesAndFallback_IsAFewLines()
    {
        TestChatClient premium = Down("premium");
        var economy = new TestChatClient("economy");

        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", premium, t => t.Prices(input: 2.50m, output: 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", economy, t => t.Prices(input: 0.15m, output: 0.60m).Tier(QualityTier.Economy))
            .UseRules(rules => rules.WhenContainsAny("stack trace").RouteTo("premium", "economy"))
            .Default("economy")
            .UseFallback(f => f.Resilience.EnableRetry = false)
            .UseLedger()
            .Build();

        ChatResponse response = await router.GetResponseAsync("here is a stack trace");

        RouteInfo route = response.GetRouteInfo()!;
        Assert.Equal("economy answers", response.Text);
        Assert.Equal("economy", route.Target);
        Assert.Equal("rules", route.Strategy);
        Assert.Equal(["premium", "economy"], route.Attempts.Select(a => a.Target));
        Assert.Equal(1, premium.Calls);
        Assert.IsType<FallbackRouteExecutor>(router.Executor);
    }

    [Fact]
    public async Task AddLlmRouter_AndBuild_ComposeTheSameRouter()
    {
        static LlmRouterBuilder Configure(LlmRouterBuilder r) => r
            .AddTarget("premium", t => t.Tier(QualityTier.Premium)).AddTarget("economy", t => t.Tier(QualityTier.Economy))
            .UseRules(rules => rules.WhenMetadata("tier", "free").RouteTo("economy"))
            .UseCostAware()
            .Default("premium")
            .UseFallback();

        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(r => Configure(r));
        using ServiceProvider provider = services.BuildServiceProvider();
        LlmRouterChatClient fromDi = provider.GetRequiredService<LlmRouterChatClient>();

        var standalone = new LlmRouterBuilder();
        standalone.Services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        standalone.Services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        using LlmRouterChatClient built = Configure(standalone).Build();

        Assert.Equal(fromDi.Strategies.Select(s => s.Name), built.Strategies.Select(s => s.Name));
        Assert.Equal(fromDi.Filters.Select(f => f.Name), built.Filters.Select(f => f.Name));
        Assert.Equal(fromDi.Executor.GetType(), built.Executor.GetType());
        RouteInfo a = (await fromDi.GetResponseAsync("hello")).GetRouteInfo()!;
        RouteInfo b = (await built.GetResponseAsync("hello")).GetRouteInfo()!;
        Assert.Equal((a.Target, a.Strategy, a.Reason), (b.Target, b.Strategy, b.Reason));
    }

    [Fact]
    public void TheBuiltInFilters_AreListedOnce_ForTheBuilderAndTheConstructor()
    {
        using LlmRouterChatClient built = TwoTargets().Build();
        using var constructed = new LlmRouterChatClient(Targets.Registry(), "economy");

        Assert.Equal(["capabilities", "context-window"], built.Filters.Select(f => f.Name));
        Assert.Equal(built.Filters, constructed.Filters);
    }

    [Fact]
    public void TwoStrategiesWithTheSameName_FailTheBuild()
    {
        IRoutingStrategy first = new NamedStrategy("mine");
        IRoutingStrategy second = new NamedStrategy("MINE");

        OptionsValidationException ex = BuildFails(TwoTargets().UseStrategy(first).UseStrategy(second));

        Assert.Contains("Strategy 'MINE' is registered twice (UseStrategy/RegisterStrategy, then UseStrategy/RegisterStrategy); strategy names must be unique. A stage of UseHybridRouting is configured there (e.g. h.CostAware(…)), not added again on its own.", ex.Failures);
    }

    [Fact]
    public void AStageAloneAndInsideUseHybridRouting_FailsTheBuild_NamingBoth()
    {
        OptionsValidationException ex = BuildFails(TwoTargets().UseCostAware().UseHybridRouting());

        Assert.Contains("Strategy 'cost-aware' is registered twice (UseCostAware, then UseHybridRouting (its cost-aware stage)); strategy names must be unique. A stage of UseHybridRouting is configured there (e.g. h.CostAware(…)), not added again on its own.", ex.Failures);
    }

    [Fact]
    public void EmbeddingRoutesAloneAndInsideUseHybridRouting_FailTheBuild()
    {
        OptionsValidationException ex = BuildFails(TwoTargets()
            .UseHybridRouting()
            .UseEmbeddingRoutes(e => e.AddRoute("premium", ["prove this theorem"])));

        Assert.Contains(ex.Failures, f => f.StartsWith("Strategy 'embedding' is registered twice (UseHybridRouting (its embedding stage), then UseEmbeddingRoutes);", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDataPolicyAloneAndAsAHybridStage_FailsTheBuild()
    {
        OptionsValidationException ex = BuildFails(new LlmRouterBuilder()
            .AddTarget("cloud", new TestChatClient()).AddTarget("local", new TestChatClient(), t => t.Tags("on-prem")).Default("local")
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .UseHybridRouting(h => h.DataPolicy(p => p.AllowedTargetTags.Add("on-prem"))));

        Assert.Contains("The data policy is configured twice: by UseDataPolicy(…) and by UseHybridRouting's DataPolicy stage; configure it in one place (h.DataPolicy(…) or LlmRouting:DataPolicy).", ex.Failures);
    }

    [Fact]
    public void UseDataPolicyTwice_FailsTheBuild()
    {
        OptionsValidationException ex = BuildFails(new LlmRouterBuilder()
            .AddTarget("local", new TestChatClient(), t => t.Tags("on-prem")).Default("local")
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem")));

        Assert.Contains("Filter 'data-policy' is added twice (UseDataPolicy, then UseDataPolicy); add it once.", ex.Failures);
    }

    [Theory]
    [InlineData("UseFallback")]
    [InlineData("UseEscalation")]
    [InlineData("UseExactCache")]
    public void AnExecutionFeatureAddedTwice_FailsTheBuild(string stage)
    {
        LlmRouterBuilder builder = TwoTargets().UseFallback(_ => { });
        _ = stage switch
        {
            "UseFallback" => builder.UseFallback(),
            "UseEscalation" => builder.UseEscalation().UseEscalation(),
            _ => builder.UseExactCache().UseExactCache(),
        };

        OptionsValidationException ex = BuildFails(builder);

        Assert.Contains($"{stage}(…) is called twice on this router; configure it in one call.", ex.Failures);
    }

    [Fact]
    public void UseJudgeAndTheHybridJudgeStage_FailTheBuild()
    {
        OptionsValidationException ex = BuildFails(TwoTargets().UseJudge(new TestChatClient("judge")).UseHybridRouting(h => h.Judge()));

        Assert.Contains(ex.Failures, f => f.StartsWith("Strategy 'judge' is registered twice (UseJudge, then UseHybridRouting (its judge stage));", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryMistake_IsReportedTogether()
    {
        OptionsValidationException ex = BuildFails(new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient())
            .Default("gpt-9")
            .UseStrategy(new NamedStrategy("x")).UseStrategy(new NamedStrategy("x"))
            .UseFallback().UseFallback());

        Assert.Equal(
            [
                "Strategy 'x' is registered twice (UseStrategy/RegisterStrategy, then UseStrategy/RegisterStrategy); strategy names must be unique. A stage of UseHybridRouting is configured there (e.g. h.CostAware(…)), not added again on its own.",
                "UseFallback(…) is called twice on this router; configure it in one call.",
                "LlmRouting:Default 'gpt-9' is not a configured target (known targets: premium).",
            ],
            ex.Failures);
    }

    [Fact]
    public void WiringMistakes_FailTheHostAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddLlmRouter(r => r.AddTarget("premium").Default("premium").UseFallback().UseFallback());
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IStartupValidator>().Validate);

        Assert.Contains("UseFallback(…) is called twice on this router; configure it in one call.", ex.Failures);
    }

    [Fact]
    public void AStandaloneBuilderWithServices_RefusesAProviderThatDoesNotHoldThem()
    {
        LlmRouterBuilder builder = TwoTargets().UseLoadTracking().UseLeastInFlight();
        using ServiceProvider other = new ServiceCollection().BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => builder.Build(other));

        Assert.StartsWith("This builder's extensions registered", ex.Message, StringComparison.Ordinal);
        using LlmRouterChatClient router = builder.Build();
        Assert.Equal(["least-in-flight"], router.Strategies.Select(s => s.Name));
    }

    [Fact]
    public void ATargetNameWithSurroundingWhiteSpace_IsRejectedInCode()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LlmRouterBuilder().AddTarget("a "));
        Assert.StartsWith("Target name 'a ' has leading or trailing white space.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DisposingARouterBuiltWithoutAContainer_DisposesItsPrivateServices()
    {
        var builder = TwoTargets();
        builder.Services.AddSingleton<DisposalProbe>();
        builder.UseStrategy("probe", (sp, _) =>
        {
            sp.GetRequiredService<DisposalProbe>();
            return new NamedStrategy("probe");
        });
        LlmRouterChatClient router = builder.Build();
        DisposalProbe probe = DisposalProbe.Last!;

        router.Dispose();

        Assert.True(probe.Disposed);
    }

    private sealed class DisposalProbe : IDisposable
    {
        public DisposalProbe() => Last = this;

        public static DisposalProbe? Last { get; private set; }

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class NamedStrategy(string name) : IRoutingStrategy
    {
        public string Name => name;

        public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken) => new((RouteDecision?)null);
    }
}
