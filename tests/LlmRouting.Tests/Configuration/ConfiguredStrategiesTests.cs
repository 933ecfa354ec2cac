using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>Every built-in strategy turned on by configuration alone (no Use… call in code).</summary>
public class ConfiguredStrategiesTests
{
    private const string Medical = "Is it safe to double my blood pressure medication dose if I feel dizzy?";

    [Fact]
    public async Task CostAware_FromConfigurationAlone_RoutesAndChargesItsBudgets()
    {
        using ServiceProvider provider = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "cost-aware",
            ["LlmRouting:CostAware:Budgets:0:ScopeKey"] = "tenant",
            ["LlmRouting:CostAware:Budgets:0:Period"] = "Day",
            ["LlmRouting:CostAware:Budgets:0:Limit"] = "0.001",
        });
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        var acme = new ChatOptions { AdditionalProperties = new() { ["tenant"] = "acme" } };

        RouteInfo easy = (await chat.GetResponseAsync("What are your opening hours?")).GetRouteInfo()!;
        RouteInfo first = (await chat.GetResponseAsync(Medical, acme)).GetRouteInfo()!;
        RouteInfo second = (await chat.GetResponseAsync(Medical, acme)).GetRouteInfo()!;

        Assert.Equal(("economy", "cost-aware"), (easy.Target, easy.Strategy));
        Assert.Equal("premium", first.Target);

        // The first premium call (1 000 in, 500 out at 2.50 / 10 per million = 0.0075) spent the 0.001 budget.
        Assert.Equal("economy", second.Target);
        Assert.StartsWith("budget spent", second.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classifier_FromConfigurationAlone_UsesThePremiumNeedScoreAndItsThreshold()
    {
        using ServiceProvider provider = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "classifier",
            ["LlmRouting:Classifier:Threshold"] = "0.01",
        });
        ClassifierStrategy strategy = Assert.IsType<ClassifierStrategy>(Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
        Assert.Null(strategy.Model);
        Assert.Equal(0.01, strategy.Thresholds[0].MinScore);

        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync(Medical)).GetRouteInfo()!;
        Assert.Equal(("premium", "classifier"), (route.Target, route.Strategy));
    }

    [Fact]
    public async Task Embedding_FromConfigurationAlone_RoutesByItsRoutes()
    {
        using ServiceProvider provider = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "embedding",
            ["LlmRouting:Embedding:Routes:0:Name"] = "proofs",
            ["LlmRouting:Embedding:Routes:0:Target"] = "premium",
            ["LlmRouting:Embedding:Routes:0:Utterances:0"] = "prove this theorem about prime numbers",
            ["LlmRouting:Embedding:Routes:0:Utterances:1"] = "give a rigorous proof of the lemma",
        });
        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("prove this theorem about prime numbers, please")).GetRouteInfo()!;
        Assert.Equal(("premium", "embedding"), (route.Target, route.Strategy));
    }

    [Theory]
    [InlineData("4096", null)]
    [InlineData("100", "LlmRouting:Embedding:MaxEmbeddedCharacters must be at least 256 (was 100).")]
    public void Embedding_MaxEmbeddedCharacters_IsBoundAndCheckedAtStartUp(string value, string? expected)
    {
        using ServiceProvider provider = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "embedding",
            ["LlmRouting:Embedding:MaxEmbeddedCharacters"] = value,
            ["LlmRouting:Embedding:Routes:0:Name"] = "proofs",
            ["LlmRouting:Embedding:Routes:0:Target"] = "premium",
            ["LlmRouting:Embedding:Routes:0:Utterances:0"] = "prove this theorem about prime numbers",
        });
        if (expected is null)
        {
            Assert.IsType<EmbeddingRoutingStrategy>(Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
            return;
        }

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WeightedSplitAndConsistentHash_FromConfigurationAlone()
    {
        using (ServiceProvider split = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "weighted-split",
            ["LlmRouting:Load:WeightedSplit:Weights:premium"] = "1",
        }))
        {
            RouteInfo route = (await split.GetRequiredService<IChatClient>().GetResponseAsync("hi")).GetRouteInfo()!;
            Assert.Equal(("premium", "weighted-split"), (route.Target, route.Strategy));
        }

        using ServiceProvider hash = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "consistent-hash",
            ["LlmRouting:Load:ConsistentHash:Targets:0"] = "premium",
            ["LlmRouting:Load:ConsistentHash:Targets:1"] = "economy",
        });
        IChatClient chat = hash.GetRequiredService<IChatClient>();
        var alice = new ChatOptions { AdditionalProperties = new() { ["user"] = "alice" } };
        string[] targets = [.. await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => (await chat.GetResponseAsync("hi", alice)).GetRouteInfo()!.Target))];
        Assert.Single(targets.Distinct());
        Assert.Equal("consistent-hash", (await chat.GetResponseAsync("hi", alice)).GetRouteInfo()!.Strategy);
    }

    [Theory]
    [InlineData("least-in-flight")]
    [InlineData("lowest-latency")]
    [InlineData("power-of-two")]
    public async Task LoadAwareStrategies_FromConfigurationAlone_TrackLoadAndDecide(string name)
    {
        using ServiceProvider provider = Build(new()
        {
            ["LlmRouting:Strategies:0"] = name,
            ["LlmRouting:Load:Targets:0"] = "economy",
        });
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        for (int i = 0; i < 4; i++)
        {
            RouteInfo route = (await chat.GetResponseAsync("hi")).GetRouteInfo()!;
            Assert.Equal(("economy", name), (route.Target, route.Strategy));
        }
    }

    [Fact]
    public async Task Hybrid_FromConfigurationAlone_RunsTheClassifierThenCostAware()
    {
        using ServiceProvider withClassifier = Build(new()
        {
            ["LlmRouting:Strategies:0"] = "hybrid",
            ["LlmRouting:Classifier:Thresholds:0:Target"] = "premium",
            ["LlmRouting:Classifier:Thresholds:0:MinScore"] = "0.9",
        });
        ConfiguredHybridStrategy hybrid = Assert.IsType<ConfiguredHybridStrategy>(Assert.Single(withClassifier.GetRequiredService<LlmRouterChatClient>().Strategies));
        Assert.Equal(["classifier", "cost-aware"], hybrid.Stages.Select(s => s.Name));

        // A short request scores below the classifier's only band (it abstains); cost-aware decides.
        RouteInfo route = (await withClassifier.GetRequiredService<IChatClient>().GetResponseAsync("What are your opening hours?")).GetRouteInfo()!;
        Assert.Equal(("economy", "cost-aware"), (route.Target, route.Strategy));

        using ServiceProvider plain = Build(new() { ["LlmRouting:Strategies:0"] = "hybrid" });
        Assert.Equal(["cost-aware"], Assert.IsType<ConfiguredHybridStrategy>(Assert.Single(plain.GetRequiredService<LlmRouterChatClient>().Strategies)).Stages.Select(s => s.Name));
    }

    [Fact]
    public async Task Adaptive_FromConfigurationAlone_LoadsItsModelFile_AndKeepsThePriorForATaskItNeverLearnt()
    {
        // A model trained on two named topics: "orbital" questions needed the premium answer, "recipe" ones did not.
        var embedder = new LlmRouting.Embeddings.LocalEmbeddingGenerator(256);
        var examples = new List<AdaptiveExample>();
        foreach (string text in new[] { "orbital period of the moon", "orbital velocity near mars", "orbital mechanics of a satellite" })
        {
            for (int i = 0; i < 10; i++)
            {
                examples.Add(new AdaptiveExample(embedder.Embed(text), new RoutingRequest(text).Analysis.PremiumNeed, 1, Group: "astronomy"));
            }
        }

        foreach (string text in new[] { "recipe for tomato soup", "recipe for pancakes", "recipe for a green salad" })
        {
            for (int i = 0; i < 10; i++)
            {
                examples.Add(new AdaptiveExample(embedder.Embed(text), new RoutingRequest(text).Analysis.PremiumNeed, 0, Group: "cooking"));
            }
        }

        string path = Path.Combine(Path.GetTempPath(), $"adaptive-{Guid.NewGuid():N}.json");
        AdaptiveModelFile.Save(AdaptiveTrainer.Train(examples, new AdaptiveTrainingOptions { Dimensions = 256, GroupRegions = true, DiscriminativeEpochs = 2, Version = "v-config" }), path);
        try
        {
            using ServiceProvider provider = Build(new()
            {
                ["LlmRouting:Strategies:0"] = "adaptive",
                ["LlmRouting:Adaptive:ModelPath"] = path,
                ["LlmRouting:Adaptive:Threshold"] = "0.5",
            });
            AdaptiveRoutingStrategy strategy = Assert.IsType<AdaptiveRoutingStrategy>(Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
            Assert.Equal("v-config", strategy.ModelVersion);
            IChatClient chat = provider.GetRequiredService<IChatClient>();
            RouteInfo known = (await chat.GetResponseAsync("orbital speed of a comet", new ChatOptions { AdditionalProperties = new() { ["task"] = "astronomy" } })).GetRouteInfo()!;
            RouteInfo unknown = (await chat.GetResponseAsync("orbital speed of a comet", new ChatOptions { AdditionalProperties = new() { ["task"] = "physics" } })).GetRouteInfo()!;
            Assert.Equal(("premium", "adaptive", "v-config"), (known.Target, known.Strategy, known.ModelVersion));
            Assert.Equal("economy", unknown.Target);
            Assert.Contains("a task the labels never named: calibrated prior", unknown.Reason, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UseAdaptiveRouting_ReadsTheAdaptiveSection_AndCodeOverridesIt()
    {
        using (ServiceProvider provider = Build(new() { ["LlmRouting:Adaptive:Threshold"] = "0.3", ["LlmRouting:Adaptive:EconomyTarget"] = "economy" }, r => r.UseAdaptiveRouting()))
        {
            AdaptiveRoutingStrategy strategy = Assert.IsType<AdaptiveRoutingStrategy>(Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies));
            Assert.Equal(0.3, strategy.Threshold);
        }

        using (ServiceProvider provider = Build(new() { ["LlmRouting:Adaptive:Threshold"] = "0.3" }, r => r.UseAdaptiveRouting(o => o.Threshold = 0.6)))
        {
            Assert.Equal(0.6, Assert.IsType<AdaptiveRoutingStrategy>(Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies)).Threshold);
        }
    }

    [Theory]
    [InlineData("LlmRouting:Adaptive:Treshold", "0.3", "Treshold")]
    [InlineData("LlmRouting:Adaptive:Threshold", "high", "LlmRouting:Adaptive:Threshold")]
    [InlineData("LlmRouting:Adaptive:Threshold", "2", "LlmRouting:Adaptive:Threshold must be in [0, 1] (was 2).")]
    public void UseAdaptiveRouting_ABadAdaptiveSection_FailsAtStartUpNamingTheField(string key, string value, string expected)
    {
        using ServiceProvider provider = Build(new() { [key] = value }, r => r.UseAdaptiveRouting());
        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodeReplacesTheConfiguredStrategyOfTheSameName()
    {
        var fixedDifficulty = new CostAwareOptions { Difficulty = _ => 1 };
        using ServiceProvider provider = Build(new() { ["LlmRouting:Strategies:0"] = "cost-aware" }, r => r.UseCostAware(o => o.Difficulty = fixedDifficulty.Difficulty));
        Assert.Single(provider.GetRequiredService<LlmRouterChatClient>().Strategies);
        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).GetRouteInfo()!;
        Assert.Equal("premium", route.Target);
    }

    [Theory]
    [InlineData("embedding", null, null, "LlmRouting:Embedding:Routes is empty, but the 'embedding' strategy is listed in LlmRouting:Strategies; add routes (Target and Utterances) or remove it.")]
    [InlineData("weighted-split", "LlmRouting:Load:WeightedSplit:Weights:gold", "1", "LlmRouting:Load:WeightedSplit:Weights names 'gold', which is not a configured target (known targets: premium, economy).")]
    [InlineData("least-in-flight", "LlmRouting:Load:Targets:0", "gold", "LlmRouting:Load:Targets names 'gold', which is not a configured target (known targets: premium, economy).")]
    [InlineData("cost-aware", "LlmRouting:CostAware:TargetQuality:gold", "0.5", "LlmRouting:CostAware:TargetQuality names 'gold', which is not a configured target (known targets: premium, economy).")]
    [InlineData("hybrid", "LlmRouting:DataPolicy:AllowedTargetTags:0", "on-prem", "LlmRouting:DataPolicy is configured, but nothing reads it: it configures UseHybridRouting() (UseDataPolicy is configured in code)")]
    [InlineData("hybrid", "LlmRouting:Hybrid:CostAware", "false", "LlmRouting:Hybrid: no stage is on")]
    [InlineData("adaptive", "LlmRouting:Adaptive:ModelPath", "/no/such/adaptive.json", "LlmRouting:Adaptive:ModelPath cannot be loaded: Adaptive model file '/no/such/adaptive.json' does not exist.")]
    [InlineData("adaptive", "LlmRouting:Adaptive:PremiumTarget", "gold", "LlmRouting:Adaptive:PremiumTarget names 'gold', which is not a configured target (known targets: premium, economy).")]
    [InlineData("adaptive", "LlmRouting:Adaptive:Threshold", "1.5", "LlmRouting:Adaptive:Threshold must be in [0, 1] (was 1.5).")]
    [InlineData("adaptive", "LlmRouting:Adaptive:Treshold", "0.5", "Treshold")]
    public void InvalidSections_FailAtStartUpNamingTheField(string strategy, string? key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["LlmRouting:Strategies:0"] = strategy };
        if (key is not null)
        {
            settings[key] = value;
        }

        using ServiceProvider provider = Build(settings);
        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingListed_LeavesTheRouterAsItWas()
    {
        var client = new TestChatClient("economy");
        using ServiceProvider provider = Build([], clients: ("economy", client));
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        Assert.Empty(router.Strategies);
        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).GetRouteInfo()!;
        Assert.Equal("default", route.Strategy);
        Assert.Equal(1, client.Calls);
    }

    /// <summary>A router over premium and economy bound from <paramref name="root"/> (reload it to reconfigure the router), logging to <paramref name="logs"/>.</summary>
    internal static ServiceProvider BuildReloadable(out IConfigurationRoot root, FakeLogCollector logs, Action<LlmRouterBuilder> code)
    {
        root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouting:Default"] = "economy",
            ["LlmRouting:Targets:0:Name"] = "premium",
            ["LlmRouting:Targets:1:Name"] = "economy",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(root);
        services.AddLogging(l => l.AddProvider(new FakeLoggerProvider(logs)));
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(code);
        return services.BuildServiceProvider();
    }

    internal static ServiceProvider Build(Dictionary<string, string?> settings, Action<LlmRouterBuilder>? code = null, (string Name, TestChatClient Client)? clients = null, Action<IServiceCollection>? register = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["LlmRouting:Default"] = "economy",
            ["LlmRouting:Targets:0:Name"] = "premium",
            ["LlmRouting:Targets:0:Tier"] = "Premium",
            ["LlmRouting:Targets:0:InputPricePerMillion"] = "2.50",
            ["LlmRouting:Targets:0:OutputPricePerMillion"] = "10",
            ["LlmRouting:Targets:1:Name"] = "economy",
            ["LlmRouting:Targets:1:Tier"] = "Economy",
            ["LlmRouting:Targets:1:InputPricePerMillion"] = "0.05",
            ["LlmRouting:Targets:1:OutputPricePerMillion"] = "0.08",
        };
        foreach ((string key, string? value) in settings)
        {
            all[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        services.AddKeyedSingleton<IChatClient>("premium", new TestChatClient("premium"));
        services.AddKeyedSingleton<IChatClient>("economy", clients?.Client ?? new TestChatClient("economy"));
        register?.Invoke(services);
        services.AddLlmRouter(r => code?.Invoke(r));
        return services.BuildServiceProvider();
    }
}
