using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class ClassifierStrategyTests
{
    private const string Hard = "prove the theorem about primes";
    private const string Easy = "hello there how are you";

    [Fact]
    public async Task ScoresAtOrAboveTheThreshold_GoToPremium_OthersToEconomy()
    {
        var strategy = new ClassifierStrategy(ClassifierTestModels.ToyModel, "premium", "economy", 0.5);
        RouteCandidates candidates = RouteCandidates.All(Targets.Registry());

        RouteDecision hard = (await strategy.DecideAsync(Targets.Request(Hard), candidates, default))!;
        RouteDecision easy = (await strategy.DecideAsync(Targets.Request(Easy), candidates, default))!;

        Assert.Equal("premium", hard.Primary.Name);
        Assert.Equal("economy", easy.Primary.Name);
        Assert.Equal("classifier", hard.Strategy);
        Assert.True(hard.Score > 0.5);
        Assert.True(easy.Score < 0.5);
        Assert.DoesNotContain("prove", hard.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ThresholdsAreInclusiveAndMultiBandsPickTheHighestReached()
    {
        double score = ClassifierTestModels.ToyModel.Score(Hard);
        ClassifierThreshold[] bands =
        [
            new() { Target = "economy", MinScore = 0 },
            new() { Target = "on-prem", MinScore = score / 2 },
            new() { Target = "premium", MinScore = score },
        ];
        var strategy = new ClassifierStrategy(ClassifierTestModels.ToyModel, bands);
        RouteCandidates candidates = RouteCandidates.All(Targets.Registry(Targets.Premium(), Targets.Economy(), Targets.OnPrem()));

        Assert.Equal("premium", (await strategy.DecideAsync(Targets.Request(Hard), candidates, default))!.Primary.Name);
        bands[2].MinScore = 0.99; // the strategy copied the bands: later edits change nothing
        Assert.Equal("premium", (await strategy.DecideAsync(Targets.Request(Hard), candidates, default))!.Primary.Name);

        var above = new ClassifierStrategy(ClassifierTestModels.ToyModel, [new() { Target = "economy", MinScore = 0 }, new() { Target = "on-prem", MinScore = score / 2 }, new() { Target = "premium", MinScore = Math.Min(1, score + 1e-9) }]);
        Assert.Equal("on-prem", (await above.DecideAsync(Targets.Request(Hard), candidates, default))!.Primary.Name);
    }

    [Fact]
    public async Task Abstains_WhenTheChosenTargetIsNotACandidate()
    {
        var strategy = new ClassifierStrategy(ClassifierTestModels.ToyModel, "premium", "economy", 0.5);
        TargetRegistry registry = Targets.Registry();
        var onlyEconomy = new RouteCandidates(registry, [registry["economy"]]);

        Assert.Null(await strategy.DecideAsync(Targets.Request(Hard), onlyEconomy, default));
        Assert.Equal("economy", (await strategy.DecideAsync(Targets.Request(Easy), onlyEconomy, default))!.Primary.Name);
    }

    [Fact]
    public async Task Abstains_BelowTheLowestBand()
    {
        var strategy = new ClassifierStrategy(ClassifierTestModels.ToyModel, [new ClassifierThreshold { Target = "premium", MinScore = 0.5 }]);
        Assert.Null(await strategy.DecideAsync(Targets.Request(Easy), RouteCandidates.All(Targets.Registry()), default));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void RejectsThresholdsOutsideTheUnitInterval(double threshold)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new ClassifierStrategy(ClassifierTestModels.ToyModel, "premium", "economy", threshold));
        Assert.Contains("MinScore must be in [0, 1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsNoBandsAndBandsWithoutTargets()
    {
        Assert.Throws<ArgumentException>(() => new ClassifierStrategy(ClassifierTestModels.ToyModel, []));
        ArgumentException e = Assert.Throws<ArgumentException>(() => new ClassifierStrategy(ClassifierTestModels.ToyModel, [new ClassifierThreshold { Target = " ", MinScore = 0 }]));
        Assert.Contains("names no target", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseClassifier_BindsOptionsFromConfigurationAndRoutes()
    {
        string modelPath = Path.Combine(Path.GetTempPath(), $"llmrouting-toy-{Guid.NewGuid():N}.json");
        ClassifierTestModels.ToyModel.Save(modelPath);
        try
        {
            IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LlmRouting:Classifier:ModelPath"] = modelPath,
                ["LlmRouting:Classifier:Threshold"] = "0.5",
            }).Build();
            using ServiceProvider provider = Build(configuration, r => r.UseClassifier());
            IChatClient chat = provider.GetRequiredService<IChatClient>();

            RouteInfo hard = (await chat.GetResponseAsync(Hard)).GetRouteInfo()!;
            RouteInfo easy = (await chat.GetResponseAsync(Easy)).GetRouteInfo()!;

            Assert.Equal("premium", hard.Target);
            Assert.Equal("classifier", hard.Strategy);
            Assert.Equal("economy", easy.Target);
        }
        finally
        {
            File.Delete(modelPath);
        }
    }

    [Fact]
    public void UseClassifier_UsesThePremiumNeedScoreAndTierTargetsWhenNothingIsConfigured()
    {
        using ServiceProvider provider = Build(new ConfigurationBuilder().Build(), r => r.UseClassifier());
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        ClassifierStrategy strategy = Assert.IsType<ClassifierStrategy>(Assert.Single(router.Strategies));
        Assert.Null(strategy.Model);
        Assert.Equal(["premium", "economy"], strategy.Thresholds.Select(t => t.Target));
        Assert.Equal(ClassifierOptions.DefaultThreshold, strategy.Thresholds[0].MinScore);
    }

    [Fact]
    public void UseClassifier_UsesTheShippedModelOnlyWhenAskedFor()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouting:Classifier:UseShippedModel"] = "true",
        }).Build();
        using ServiceProvider provider = Build(configuration, r => r.UseClassifier());
        ClassifierStrategy strategy = Assert.IsType<ClassifierStrategy>(Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
        Assert.Same(ClassifierModel.Default, strategy.Model);
    }

    [Fact]
    public async Task WithoutAModel_RoutesByThePremiumNeedScore()
    {
        var strategy = new ClassifierStrategy(null, "premium", "economy", ClassifierOptions.DefaultThreshold);
        RouteCandidates candidates = RouteCandidates.All(new TargetRegistry(
        [
            new RouteTarget("premium", new TestChatClient("premium"), new TargetProfile { Tier = QualityTier.Premium }),
            new RouteTarget("economy", new TestChatClient("economy"), new TargetProfile { Tier = QualityTier.Economy }),
        ]));
        const string hard = "A company sells each unit for $12 and pays $7 per unit in costs. If it must cover fixed costs of $4,000 per month, " +
            "how many units must it sell each month to break even? Suppose the price rises by 10 percent but demand falls by 5 percent; " +
            "is the company better or worse off, and why? Explain each step, and say which assumption matters most.";

        RouteDecision easyDecision = (await strategy.DecideAsync(new RoutingRequest("Hi there!"), candidates, default))!;
        RouteDecision hardDecision = (await strategy.DecideAsync(new RoutingRequest(hard), candidates, default))!;

        Assert.Equal("economy", easyDecision.Primary.Name);
        Assert.Equal("premium", hardDecision.Primary.Name);
        Assert.StartsWith("premium-need score ", hardDecision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UseClassifier_NamesAnUnknownTarget()
    {
        using ServiceProvider provider = Build(new ConfigurationBuilder().Build(), r => r.UseClassifier(o => o.PremiumTarget = "gpt-9"));
        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains("LlmRouting:Classifier:PremiumTarget 'gpt-9' is not a configured target.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseClassifier_NamesAMissingModelFile()
    {
        using ServiceProvider provider = Build(new ConfigurationBuilder().Build(), r => r.UseClassifier(o => o.ModelPath = "/nonexistent/model.json"));
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains("/nonexistent/model.json", e.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(IConfiguration configuration, Action<LlmRouterBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", new TestChatClient("premium"), t => t.Tier(QualityTier.Premium));
            r.AddTarget("economy", new TestChatClient("economy"), t => t.Tier(QualityTier.Economy));
            r.Default("economy");
            configure(r);
        });
        return services.BuildServiceProvider();
    }
}
