using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>UseAdaptiveRouting and the configured <c>adaptive</c> strategy are built by one factory: the same checks, at the same time, with the same messages.</summary>
public sealed class AdaptiveRoutingSetupTests : IDisposable
{
    private const string Unknown = "which is not a configured target (known targets: premium, economy).";
    private readonly string _corrupt = Path.Combine(Path.GetTempPath(), $"adaptive-corrupt-{Guid.NewGuid():N}.json");
    private readonly string _model = Path.Combine(Path.GetTempPath(), $"adaptive-{Guid.NewGuid():N}.json");

    public AdaptiveRoutingSetupTests()
    {
        File.WriteAllText(_corrupt, "{ this is not a model");
        AdaptiveModelFile.Save(Train("v-file"), _model);
    }

    public void Dispose()
    {
        File.Delete(_corrupt);
        File.Delete(_model);
    }

    [Theory]
    [InlineData("PremiumTarget")]
    [InlineData("EconomyTarget")]
    public void UseAdaptiveRouting_AnUnknownTargetSetInCode_FailsWhenTheRouterIsBuilt_NamingTheField(string field)
    {
        using ServiceProvider provider = ConfiguredStrategiesTests.Build([], r => r.UseAdaptiveRouting(o =>
        {
            if (field == "PremiumTarget")
            {
                o.PremiumTarget = "gold";
            }
            else
            {
                o.EconomyTarget = "gold";
            }
        }));

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Equal([$"LlmRouting:Adaptive:{field} names 'gold', {Unknown}"], e.Failures);
    }

    [Theory]
    [InlineData("LlmRouting:Adaptive:PremiumTarget", "gold", $"LlmRouting:Adaptive:PremiumTarget names 'gold', {Unknown}")]
    [InlineData("LlmRouting:Adaptive:EconomyTarget", "gold", $"LlmRouting:Adaptive:EconomyTarget names 'gold', {Unknown}")]
    [InlineData("LlmRouting:Adaptive:ModelPath", "/no/such/adaptive.json", "LlmRouting:Adaptive:ModelPath cannot be loaded: Adaptive model file '/no/such/adaptive.json' does not exist.")]
    [InlineData("LlmRouting:Adaptive:ModelPath", "{corrupt}", "LlmRouting:Adaptive:ModelPath cannot be loaded: Invalid adaptive model file '{corrupt}': not valid JSON")]
    [InlineData("LlmRouting:Adaptive:Threshold", "1.5", "LlmRouting:Adaptive:Threshold must be in [0, 1] (was 1.5).")]
    public void UseAdaptiveRouting_AndTheConfiguredStrategy_FailTheBuildWithTheSameMessage(string key, string value, string expected)
    {
        value = value.Replace("{corrupt}", _corrupt, StringComparison.Ordinal);
        expected = expected.Replace("{corrupt}", _corrupt, StringComparison.Ordinal);
        using ServiceProvider inCode = ConfiguredStrategiesTests.Build(new() { [key] = value }, r => r.UseAdaptiveRouting());
        using ServiceProvider configured = ConfiguredStrategiesTests.Build(new() { ["LlmRouting:Strategies:0"] = "adaptive", [key] = value });

        OptionsValidationException fromCode = Assert.Throws<OptionsValidationException>(() => inCode.GetRequiredService<LlmRouterChatClient>());
        OptionsValidationException fromConfiguration = Assert.Throws<OptionsValidationException>(() => configured.GetRequiredService<LlmRouterChatClient>());

        string failure = Assert.Single(fromCode.Failures);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
        Assert.Equal(fromConfiguration.Failures, fromCode.Failures);
    }

    [Fact]
    public async Task UseAdaptiveRouting_WithValidSettings_LoadsTheModelAndRoutes_AsOneContainerSingleton()
    {
        using ServiceProvider provider = ConfiguredStrategiesTests.Build(
            new() { ["LlmRouting:Adaptive:ModelPath"] = _model, ["LlmRouting:Adaptive:EconomyTarget"] = "economy" },
            r => r.UseAdaptiveRouting(o =>
            {
                o.PremiumTarget = "premium";
                o.Threshold = 0;
            }));

        AdaptiveRoutingStrategy strategy = provider.GetRequiredService<AdaptiveRoutingStrategy>();
        Assert.Same(strategy, Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
        Assert.Equal("v-file", strategy.ModelVersion);
        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("What are your opening hours?")).GetRouteInfo()!;
        Assert.Equal(("premium", "adaptive", "v-file"), (route.Target, route.Strategy, route.ModelVersion));
    }

    [Fact]
    public void UseAdaptiveRouting_OnReload_KeepsItsReplacedModel_AndRefusesTargetsThatNoLongerNameItsTarget()
    {
        var logs = new FakeLogCollector();
        using ServiceProvider provider = ConfiguredStrategiesTests.BuildReloadable(out IConfigurationRoot root, logs, r => r.UseAdaptiveRouting(o => o.PremiumTarget = "premium"));
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        AdaptiveRoutingStrategy strategy = provider.GetRequiredService<AdaptiveRoutingStrategy>();
        strategy.ReplaceModel(Train("v-swapped"));

        root["LlmRouting:Targets:0:InputPricePerMillion"] = "5";
        root.Reload();
        Assert.Equal(5m, router.Registry["premium"].Profile.InputPricePerMillion);
        Assert.Same(strategy, Assert.Single(router.Strategies));
        Assert.Equal("v-swapped", strategy.ModelVersion);

        // The premium target renamed (same client): the strategy still names 'premium', so the new state is refused.
        root["LlmRouting:Targets:0:Name"] = "gold";
        root["LlmRouting:Targets:0:ClientKey"] = "premium";
        root.Reload();
        FakeLogRecord failed = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1009);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("LlmRouting:Adaptive:PremiumTarget names 'premium', which is not a configured target (known targets: gold, economy).", failed.Exception!.Message, StringComparison.Ordinal);
        Assert.Equal(["premium", "economy"], router.Registry.Targets.Select(t => t.Name));
        Assert.Same(strategy, Assert.Single(router.Strategies));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public async Task TheConfiguredStrategy_UsesTheTasksRegion_UnlessUseTaskRegionIsFalse(string? useTaskRegion)
    {
        // "recipe …" is nearest the cooking region; the caller says astronomy, whose labels all needed premium.
        var settings = new Dictionary<string, string?> { ["LlmRouting:Strategies:0"] = "adaptive", ["LlmRouting:Adaptive:ModelPath"] = _model };
        if (useTaskRegion is not null)
        {
            settings["LlmRouting:Adaptive:UseTaskRegion"] = useTaskRegion;
        }

        using ServiceProvider provider = ConfiguredStrategiesTests.Build(settings);
        var adaptive = (AdaptiveRoutingStrategy)Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies);
        var named = new RoutingRequest("recipe for tomato soup", new ChatOptions { AdditionalProperties = new() { ["task"] = "astronomy" } });
        var unnamed = new RoutingRequest("recipe for tomato soup");
        RouteDecision decision = (await adaptive.DecideAsync(named, RouteCandidates.All(provider.GetRequiredService<LlmRouterChatClient>().Registry), default))!;
        if (useTaskRegion is null)
        {
            Assert.Equal(adaptive.Model.Score(named.LastUserText, named.Analysis.PremiumNeed, "astronomy"), decision.Score);
            Assert.True(decision.Score > adaptive.Score(unnamed), $"{decision.Score} > {adaptive.Score(unnamed)}");
            Assert.EndsWith("the task's region)", decision.Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(adaptive.Score(unnamed), decision.Score);
        }
    }

    private static AdaptiveModel Train(string version)
    {
        var embedder = new LlmRouting.Embeddings.LocalEmbeddingGenerator(256);
        var examples = new List<AdaptiveExample>();
        foreach ((string text, double label, string group) in new[] { ("orbital period of the moon", 1d, "astronomy"), ("recipe for tomato soup", 0d, "cooking") })
        {
            for (int i = 0; i < 10; i++)
            {
                examples.Add(new AdaptiveExample(embedder.Embed(text), new RoutingRequest(text).Analysis.PremiumNeed, label, Group: group));
            }
        }

        return AdaptiveTrainer.Train(examples, new AdaptiveTrainingOptions { Dimensions = 256, GroupRegions = true, DiscriminativeEpochs = 2, Version = version });
    }
}
