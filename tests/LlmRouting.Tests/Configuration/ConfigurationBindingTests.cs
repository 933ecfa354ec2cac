using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class ConfigurationBindingTests
{
    private const string Json = """
        {
          "LlmRouting": {
            "Default": "economy",
            "Baseline": "premium",
            "Targets": [
              { "Name": "premium", "ModelId": "gpt-4o", "InputPricePerMillion": 2.50, "OutputPricePerMillion": 10,
                "CachedInputPricePerMillion": 1.25, "ContextWindow": 128000, "MaxOutputTokens": 16384,
                "Capabilities": "Tools, Vision, JsonSchema", "Tier": "Premium" },
              { "Name": "economy", "ClientKey": "mini", "InputPricePerMillion": 0.15, "OutputPricePerMillion": 0.60,
                "ContextWindow": 16000, "Tier": "Economy", "Tags": [ "eu" ] }
            ],
            "Rules": [
              { "Name": "free-tier", "Target": "economy", "Metadata": { "tier": "free" } },
              { "Name": "errors", "Target": "premium", "Fallbacks": [ "economy" ], "ContainsAny": [ "stack trace", "exception" ] },
              { "Name": "long", "Target": "premium", "MinTokens": 2000 }
            ]
          }
        }
        """;

    private static ServiceProvider Build(IConfiguration configuration, Action<LlmRouterBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("mini", new TestChatClient("mini"));
        services.AddLlmRouter(configure ?? (_ => { }));
        return services.BuildServiceProvider();
    }

    private static IConfigurationRoot FromJson(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Theory]
    [InlineData("null", 12_000)]
    [InlineData("4096", 4_097)]
    [InlineData(null, 2_049)]
    public async Task Embedding_MaxEmbeddedCharacters_FromJson_NullEmbedsTheWholeTurn(string? value, int embeddedLength)
    {
        string setting = value is null ? string.Empty : $"\"MaxEmbeddedCharacters\": {value},";
        string json = $$"""
            {
              "LlmRouting": {
                "Default": "economy",
                "Strategies": [ "embedding" ],
                "Targets": [ { "Name": "premium" }, { "Name": "economy", "ClientKey": "mini" } ],
                "Embedding": { {{setting}} "Routes": [ { "Name": "proofs", "Target": "premium", "Utterances": [ "prove this theorem" ] } ] }
              }
            }
            """;
        var generator = new RecordingEmbeddingGenerator();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(FromJson(json));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator);
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("mini", new TestChatClient("mini"));
        services.AddLlmRouter(_ => { });
        using ServiceProvider provider = services.BuildServiceProvider();

        string turn = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 12_000 / 27)).PadRight(12_000, 'x');
        _ = await provider.GetRequiredService<IChatClient>().GetResponseAsync(turn);

        string embedded = generator.Texts.Last();
        Assert.InRange(embedded.Length, embeddedLength - 130, embeddedLength);
        Assert.Equal(value == "null", embedded == turn);
    }

    [Fact]
    public void AnExplicitJsonNull_SetsANullableSettingToNone_AnAbsentOneKeepsItsDefault()
    {
        IConfigurationRoot json = FromJson("""{ "LoopDetection": { "MaxStepsPerTurn": null, "MaxStepsPerSession": 40 } }""");

        LlmRouting.Agents.LoopDetectionOptions options = LlmRouting.Configuration.ConfigurationValues.Bind(json.GetSection("LoopDetection"), new LlmRouting.Agents.LoopDetectionOptions());

        Assert.Null(options.MaxStepsPerTurn);
        Assert.Equal(40, options.MaxStepsPerSession);
        Assert.Equal(3, options.MaxIdenticalToolCalls);
    }

    private sealed class RecordingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Texts { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            string[] texts = [.. values];
            lock (Texts)
            {
                Texts.AddRange(texts);
            }

            return LlmRouting.Embeddings.LocalEmbeddingGenerator.Default.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task TheLlmRoutingSection_DefinesTargetsRulesDefaultAndBaseline()
    {
        using ServiceProvider provider = Build(FromJson(Json));
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();

        TargetProfile premium = router.Registry["premium"].Profile;
        Assert.Equal("gpt-4o", premium.ModelId);
        Assert.Equal(1.25m, premium.CachedInputPricePerMillion);
        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema, premium.Capabilities);
        Assert.Equal(QualityTier.Premium, premium.Tier);
        Assert.True(router.Registry["economy"].Profile.HasTag("EU"));
        Assert.Equal(["free-tier", "errors", "long"], Assert.IsType<RuleStrategy>(Assert.Single(router.Strategies)).Rules.Select(r => r.Name));

        IChatClient chat = provider.GetRequiredService<IChatClient>();
        RouteInfo errors = (await chat.GetResponseAsync("I see an exception")).GetRouteInfo()!;
        Assert.Equal(["premium", "economy"], errors.Decision.Targets.Select(t => t.Name));
        RouteInfo free = (await chat.GetResponseAsync("I see an exception", new ChatOptions { AdditionalProperties = new() { ["tier"] = "free" } })).GetRouteInfo()!;
        Assert.Equal("economy", free.Target);
        Assert.Equal("mini answers", (await chat.GetResponseAsync("hello")).Text);
        Assert.Equal("premium", (await chat.GetResponseAsync(new string('z', 10_000))).GetRouteInfo()!.Target);
    }

    [Fact]
    public async Task CodeRefinesConfiguration()
    {
        using ServiceProvider provider = Build(FromJson(Json), r => r
            .AddTarget("premium", t => t.Prices(input: 3m, output: 12m))
            .UseRules(rules => rules.When(req => req.HasTag("vip"), "vip").RouteTo("premium")));
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();

        Assert.Equal(3m, router.Registry["premium"].Profile.InputPricePerMillion);
        Assert.Equal("gpt-4o", router.Registry["premium"].Profile.ModelId);
        RuleStrategy rules = Assert.IsType<RuleStrategy>(Assert.Single(router.Strategies));
        Assert.Equal("vip", rules.Rules[^1].Name);
        RouteInfo route = (await router.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["tags"] = "vip" } })).GetRouteInfo()!;
        Assert.Equal("premium", route.Target);
    }

    [Fact]
    public void AnExplicitSection_CanBeBound()
    {
        IConfigurationRoot root = FromJson(Json.Replace("\"LlmRouting\"", "\"Routers\": { \"Main\"", StringComparison.Ordinal) + "}");
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("mini", new TestChatClient("mini"));
        services.AddLlmRouter(root.GetSection("Routers:Main"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(2, provider.GetRequiredService<LlmRouterChatClient>().Registry.Count);
    }

    [Fact]
    public async Task PricesAndRules_ReloadAtomically_AndABadReloadKeepsTheLastGoodState()
    {
        var source = new ReloadableSource();
        source.Set("LlmRouting:Default", "economy");
        source.Set("LlmRouting:Targets:0:Name", "premium");
        source.Set("LlmRouting:Targets:0:InputPricePerMillion", "2.5");
        source.Set("LlmRouting:Targets:1:Name", "economy");
        source.Set("LlmRouting:Targets:1:ClientKey", "mini");
        IConfigurationRoot root = new ConfigurationBuilder().Add(source).Build();
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(root);
        services.AddLogging(l => l.AddProvider(new FakeLoggerProvider(logs)));
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("mini", new TestChatClient("mini"));
        services.AddLlmRouter(_ => { });
        using ServiceProvider provider = services.BuildServiceProvider();
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        Assert.Empty(router.Strategies);

        source.Set("LlmRouting:Targets:0:InputPricePerMillion", "5");
        source.Set("LlmRouting:Rules:0:Target", "premium");
        source.Set("LlmRouting:Rules:0:ContainsAny:0", "urgent");
        source.Reload();

        Assert.Equal(5m, router.Registry["premium"].Profile.InputPricePerMillion);
        Assert.Equal("premium", (await router.GetResponseAsync("urgent please")).GetRouteInfo()!.Target);

        // An invalid reload is logged at Warning with every failure, and the previous configuration stays in force.
        source.Set("LlmRouting:Default", "nonexistent");
        source.Set("LlmRouting:Targets:1:Tier", "Standrad");
        source.Reload();

        FakeLogRecord rejected = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1008);
        Assert.Equal(LogLevel.Warning, rejected.Level);
        Assert.Contains("LlmRouting:Default 'nonexistent' is not a configured target", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("LlmRouting:Targets[1] ('economy'):Tier 'Standrad' is not one of Economy, Standard, Premium. Did you mean 'Standard'?", rejected.Message, StringComparison.Ordinal);

        Assert.Equal("economy", router.DefaultTarget.Name);
        Assert.Equal("economy", (await router.GetResponseAsync("hello")).GetRouteInfo()!.Target);
    }

    private sealed class ReloadableSource : ConfigurationProvider, IConfigurationSource
    {
        public new void Set(string key, string? value) => Data[key] = value;

        public void Reload() => OnReload();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
    }
}
