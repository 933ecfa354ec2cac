using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Catalog;

namespace LlmRouting.Tests;

public class ModelCatalogTests
{
    private const string LiteLlmSample = """
        {
          "sample_spec": { "max_tokens": "LEGACY parameter. set to max_output_tokens if provider specifies it.", "input_cost_per_token": 0.0 },
          "acme/zephyr-large": {
            "litellm_provider": "acme", "mode": "chat",
            "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06,
            "max_input_tokens": 128000, "max_output_tokens": 16384, "max_tokens": 16384,
            "supports_function_calling": true, "supports_vision": false, "supports_response_schema": true
          },
          "acme/zephyr-embed": { "litellm_provider": "acme", "mode": "embedding", "input_cost_per_token": 1e-07 },
          "acme/zephyr-bare": { "litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 1e-07, "output_cost_per_token": 2e-07, "max_tokens": 4096 }
        }
        """;

    [Fact]
    public void TheBuiltInCatalogue_IsDated_AndKnowsTheMajorProvidersCurrentModels()
    {
        ModelCatalog catalog = ModelCatalog.Default;

        Assert.NotNull(catalog.AsOf);
        foreach (string provider in new[] { "openai", "anthropic", "google", "mistral", "deepseek", "xai" })
        {
            Assert.Contains(catalog.Models, m => m.Provider == provider);
        }

        ModelCatalogEntry mini = catalog.Find("gpt-4o-mini");
        Assert.Equal((0.15m, 0.075m, 0.60m), (mini.InputPricePerMillion, mini.CachedInputPricePerMillion, mini.OutputPricePerMillion));
        Assert.Equal((128_000, 16_384), (mini.ContextWindow, mini.MaxOutputTokens));
        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema | ModelCapabilities.Streaming, mini.Capabilities);
        Assert.All(catalog.Models, m => Assert.True(m.OutputPricePerMillion >= m.InputPricePerMillion, $"{m.Name}: output cheaper than input"));
        Assert.All(catalog.Models, m => Assert.True(m.CachedInputPricePerMillion is null || m.CachedInputPricePerMillion < m.InputPricePerMillion, $"{m.Name}: cached not cheaper"));
    }

    [Theory]
    [InlineData("GPT-4o-Mini")]
    [InlineData("gpt-4o-mini-2024-07-18")]
    [InlineData("openai/gpt-4o-mini")]
    [InlineData(" gpt-4o-mini ")]
    public void Names_AreFound_CaseInsensitively_ByAlias_AndWithAProviderPrefix(string name) =>
        Assert.Equal("gpt-4o-mini", ModelCatalog.Default.Find(name).Name);

    [Fact]
    public void AnUnknownModel_FailsWithTheNearestNames()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => ModelCatalog.Default.Find("gpt-4o-minii"));

        Assert.StartsWith("'gpt-4o-minii' is not in the model catalogue (as of ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nearest: gpt-4o-mini", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ModelCatalog.Default.Nearest("claude-sonet-4-5").Count);
        Assert.Equal("claude-sonnet-4-5", ModelCatalog.Default.Nearest("claude-sonet-4-5")[0]);
    }

    [Fact]
    public async Task TModel_FillsTheProfile_AndSendsTheModelsId()
    {
        var economy = new TestChatClient("economy");
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("economy", economy, t => t.Model("gpt-4o-mini").Tier(QualityTier.Economy))
            .Default("economy")
            .Build();

        TargetProfile profile = router.Registry["economy"].Profile;
        Assert.Equal(("gpt-4o-mini", 0.15m, 0.075m, 0.60m), (profile.ModelId, profile.InputPricePerMillion, profile.CachedInputPricePerMillion, profile.OutputPricePerMillion));
        Assert.Equal((128_000, 16_384), (profile.ContextWindow, profile.MaxOutputTokens));
        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema | ModelCapabilities.Streaming, profile.Capabilities);

        await router.GetResponseAsync("hello");
        Assert.Equal("gpt-4o-mini", economy.LastOptions?.ModelId);
    }

    [Fact]
    public void ExplicitValues_WinOverTheCatalogue_WhicheverComesFirst()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("a", new TestChatClient("a"), t => t.Prices(input: 1m, output: 2m).Model("gpt-4o").ModelId("my-deployment"))
            .AddTarget("b", new TestChatClient("b"), t => t.Model("gpt-4o").ContextWindow(64_000).Supports(ModelCapabilities.Tools))
            .Default("a")
            .Build();

        TargetProfile a = router.Registry["a"].Profile;
        Assert.Equal(("my-deployment", 1m, 2m, 1.25m, 128_000), (a.ModelId, a.InputPricePerMillion, a.OutputPricePerMillion, a.CachedInputPricePerMillion, a.ContextWindow));
        TargetProfile b = router.Registry["b"].Profile;
        Assert.Equal((2.50m, 64_000, ModelCapabilities.Tools), (b.InputPricePerMillion, b.ContextWindow, b.Capabilities));
    }

    [Fact]
    public void AnUnknownModelInCode_FailsTheBuild_NamingTheTargetAndTheNearestNames()
    {
        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => new LlmRouterBuilder()
            .AddTarget("economy", new TestChatClient(), t => t.Model("gpt-4o-minii"))
            .Default("economy")
            .Build());

        Assert.Contains(ex.Failures, f => f.StartsWith("LlmRouting:Targets[0] ('economy'):Model 'gpt-4o-minii' is not in the model catalogue", StringComparison.Ordinal) &&
            f.Contains("nearest: gpt-4o-mini", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigurationsModelKey_FillsTheProfile_AndAMisspeltModelFailsStartUp()
    {
        using (ServiceProvider provider = FromConfiguration(new() { ["LlmRouting:Targets:0:Model"] = "claude-haiku-4-5" }))
        {
            TargetProfile profile = provider.GetRequiredService<LlmRouterChatClient>().Registry["economy"].Profile;
            Assert.Equal(("claude-haiku-4-5", 1m, 5m, 200_000), (profile.ModelId, profile.InputPricePerMillion, profile.OutputPricePerMillion, profile.ContextWindow));
        }

        using ServiceProvider bad = FromConfiguration(new() { ["LlmRouting:Targets:0:Model"] = "claude-haiku-45" });
        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains(ex.Failures, f => f.StartsWith("LlmRouting:Targets[0] ('economy'):Model 'claude-haiku-45' is not in the model catalogue", StringComparison.Ordinal) &&
            f.Contains("nearest: claude-haiku-4-5", StringComparison.Ordinal));
    }

    [Fact]
    public void AUserFile_ExtendsAndOverridesTheCatalogue()
    {
        string file = Path.Combine(Path.GetTempPath(), $"catalogue-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """
            { "asOf": "2026-11-30", "models": {
                "gpt-4o-mini": { "input": 0.10, "output": 0.50, "contextWindow": 64000, "capabilities": "Tools, Streaming" },
                "house-llama": { "provider": "on-prem", "input": 0, "output": 0, "contextWindow": 8192, "capabilities": "Streaming", "aliases": ["llama-house"] } } }
            """);
        try
        {
            using ServiceProvider provider = FromConfiguration(new()
            {
                ["LlmRouting:ModelCatalogFiles:0"] = file,
                ["LlmRouting:Targets:0:Model"] = "gpt-4o-mini",
                ["LlmRouting:Targets:1:Model"] = "llama-house",
            });
            TargetRegistry registry = provider.GetRequiredService<LlmRouterChatClient>().Registry;

            TargetProfile mini = registry["economy"].Profile;
            Assert.Equal((0.10m, 0.50m, (decimal?)null, 64_000, ModelCapabilities.Tools | ModelCapabilities.Streaming),
                (mini.InputPricePerMillion, mini.OutputPricePerMillion, mini.CachedInputPricePerMillion, mini.ContextWindow, mini.Capabilities));
            Assert.Equal((8_192, "llama-house"), (registry["premium"].Profile.ContextWindow, registry["premium"].Profile.ModelId));
            Assert.Equal(2.50m, ModelCatalog.Default.Find("gpt-4o").InputPricePerMillion); // the built-in catalogue itself is unchanged
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AMissingOrBrokenFile_FailsStartUp_NamingTheSetting()
    {
        using ServiceProvider provider = FromConfiguration(new()
        {
            ["LlmRouting:ModelCatalogFiles:0"] = "/nonexistent/models.json",
            ["LlmRouting:Targets:0:Model"] = "gpt-4o-mini",
        });

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmRouterChatClient>());
        Assert.Contains(ex.Failures, f => f.StartsWith("LlmRouting:ModelCatalogFiles[0] '/nonexistent/models.json' could not be read:", StringComparison.Ordinal));
    }

    [Fact]
    public void LiteLlmsFormat_IsRead_PricesPerTokenBecomePerMillion_ChatModelsOnly()
    {
        ModelCatalog catalog = ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(LiteLlmSample)));

        Assert.Equal(["acme/zephyr-large", "acme/zephyr-bare"], catalog.Models.Select(m => m.Name));
        ModelCatalogEntry large = catalog.Find("zephyr-large"); // without the provider prefix too
        Assert.Equal(("acme", 2.5m, 1.25m, 10m), (large.Provider, large.InputPricePerMillion, large.CachedInputPricePerMillion, large.OutputPricePerMillion));
        Assert.Equal((128_000, 16_384), (large.ContextWindow, large.MaxOutputTokens));
        Assert.Equal(ModelCapabilities.Streaming | ModelCapabilities.Tools | ModelCapabilities.JsonSchema, large.Capabilities);

        ModelCatalogEntry bare = catalog.Find("acme/zephyr-bare");
        Assert.Null(bare.Capabilities); // LiteLLM says nothing: unknown, not absent
        Assert.Equal((0.1m, 0.2m, 4096), (bare.InputPricePerMillion, bare.OutputPricePerMillion, bare.ContextWindow));
    }

    [Theory]
    [InlineData("""{ "models": { "m": { "input": 1, "output": 2, "capabilities": "Tools, Vison" } } }""", "the catalogue: models.m.capabilities 'Tools, Vison' is not valid: 'Vison' is not one of None, Tools, Vision, JsonSchema, Streaming, Reasoning, Audio (combine several with commas, e.g. \"Tools, Vision\"). Did you mean 'Vision'?")]
    [InlineData("""{ "models": { "m": { "input": -1, "output": 2 } } }""", "the catalogue: models.m.input must be a number that is not negative (was -1).")]
    [InlineData("""{ "models": { "m": { "output": 2 } } }""", "the catalogue: models.m.input (the price of a million input tokens) is required.")]
    [InlineData("""{ "models": { "m": { "input": 1, "output": 2, "contextWindow": 0 } } }""", "the catalogue: models.m.contextWindow must be a positive whole number (was 0).")]
    [InlineData("""{ "asOf": "last week", "models": {} }""", "the catalogue: asOf 'last week' is not a date (yyyy-MM-dd).")]
    [InlineData("""[1, 2]""", "the catalogue must be a JSON object")]
    [InlineData("""{ "x": """, "the catalogue is not valid JSON")]
    public void ABrokenCatalogue_FailsWithTheEntryAndField(string json, string message)
    {
        FormatException ex = Assert.Throws<FormatException>(() => ModelCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndeclaredCapabilities_AreUnknown_TheyDoNotFilter_AndStartUpSaysWhichTargets()
    {
        // The README's shape: premium declares tools; economy declares nothing and names no catalogue model.
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(new FakeLoggerProvider(logs)));
        services.AddLlmRouter(r => r
            .AddTarget("premium", new TestChatClient("premium"), t => t.Prices(2.50m, 10m).Supports(ModelCapabilities.Tools).Tier(QualityTier.Premium))
            .AddTarget("economy", new TestChatClient("economy"), t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("economy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient router = provider.GetRequiredService<IChatClient>();

        var tools = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };
        Assert.Equal("economy", (await router.GetResponseAsync("hi", tools)).GetRouteInfo()?.Target);
        var json = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"object"}""").RootElement, "answer") };
        Assert.Equal("economy", (await router.GetResponseAsync("hi", json)).GetRouteInfo()?.Target);

        FakeLogRecord unknown = Assert.Single(logs.GetSnapshot(), l => l.Id.Id == 1020);
        Assert.Equal(LogLevel.Information, unknown.Level);
        Assert.Contains("'economy'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclaringNone_MeansPlainChat_AndFilters()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient("premium"), t => t.Model("gpt-4o").Tier(QualityTier.Premium))
            .AddTarget("local", new TestChatClient("local"), t => t.ModelId("llama").Supports(ModelCapabilities.None))
            .Default("local")
            .Build();

        var request = new RoutingRequest("hi", new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] });
        RouteCandidates candidates = RouteCandidates.Filter(router.Registry, [Filtering.CapabilityFilter.Instance], request);
        Assert.Equal(["premium"], candidates.Targets.Select(t => t.Name));
    }

    private static ServiceProvider FromConfiguration(Dictionary<string, string?> values)
    {
        var all = new Dictionary<string, string?>
        {
            ["LlmRouting:Targets:0:Name"] = "economy",
            ["LlmRouting:Targets:1:Name"] = "premium",
            ["LlmRouting:Targets:1:InputPricePerMillion"] = "2.5",
            ["LlmRouting:Default"] = "economy",
        };
        foreach ((string key, string? value) in values)
        {
            all[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddLlmRouter(_ => { });
        return services.BuildServiceProvider();
    }
}
