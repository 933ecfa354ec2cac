using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class EmbeddingRoutingTests
{
    private static TargetRegistry Registry() => new(
    [
        new RouteTarget("billing", new TestChatClient("billing"), new TargetProfile()),
        new RouteTarget("coder", new TestChatClient("coder"), new TargetProfile()),
        new RouteTarget("chat", new TestChatClient("chat"), new TargetProfile()),
    ]);

    private static EmbeddingRoutingOptions Routes(double threshold = 0.3) => new EmbeddingRoutingOptions { Threshold = threshold }
        .AddRoute("billing", ["I was charged twice on my invoice", "refund my payment", "update my credit card billing details", "why is my subscription price higher"], "billing")
        .AddRoute("coder", ["fix this null reference exception in my C# code", "write a python function to parse json", "my unit test fails with a stack trace", "refactor this javascript class"], "code")
        .AddRoute("chat", ["hello how are you", "tell me a joke", "what is the weather like today"], "smalltalk");

    private static async Task<RouteDecision?> Decide(EmbeddingRoutingStrategy strategy, string text, RouteCandidates? candidates = null) =>
        await strategy.DecideAsync(new RoutingRequest(text), candidates ?? RouteCandidates.All(Registry()), default);

    [Theory]
    [InlineData("I got charged twice, please refund the payment", "billing")]
    [InlineData("the python function throws an exception when parsing json", "coder")]
    [InlineData("hello, tell me a joke please", "chat")]
    public async Task Paraphrases_FindTheirRoute(string text, string expected)
    {
        var strategy = new EmbeddingRoutingStrategy(Routes());
        RouteDecision decision = (await Decide(strategy, text))!;
        Assert.Equal(expected, decision.Primary.Name);
        Assert.StartsWith("nearest route '", decision.Reason, StringComparison.Ordinal);
        Assert.InRange(decision.Score!.Value, 0.3, 1.0);
    }

    [Fact]
    public async Task BelowTheThreshold_TheStrategyAbstains()
    {
        var strategy = new EmbeddingRoutingStrategy(Routes());
        Assert.Null(await Decide(strategy, "quantum chromodynamics lattice gauge"));
        Assert.Null(await Decide(strategy, "   "));
    }

    [Fact]
    public async Task APerRouteThreshold_OverridesTheGlobalOne()
    {
        EmbeddingRoutingOptions options = Routes();
        options.Routes[0].Threshold = 0.99;
        var strategy = new EmbeddingRoutingStrategy(options);
        RouteDecision? decision = await Decide(strategy, "I got charged twice, please refund the payment");
        Assert.True(decision is null || decision.Primary.Name != "billing");
    }

    [Fact]
    public async Task ARouteWhoseTargetIsNotACandidate_YieldsToTheNextRoute_OrAbstains()
    {
        var strategy = new EmbeddingRoutingStrategy(Routes(threshold: 0));
        TargetRegistry registry = Registry();
        var withoutBilling = new RouteCandidates(registry, [registry["coder"], registry["chat"]]);

        RouteDecision? decision = await Decide(strategy, "I got charged twice, please refund the payment", withoutBilling);

        Assert.NotNull(decision);
        Assert.NotEqual("billing", decision.Primary.Name);
    }

    [Fact]
    public async Task TopK_WithSum_RewardsRoutesWithSeveralCloseUtterances()
    {
        var options = new EmbeddingRoutingOptions { TopK = 3, Aggregation = EmbeddingScoreAggregation.Sum, Threshold = 0 }
            .AddRoute("billing", ["refund", "refund payment", "refund my payment"])
            .AddRoute("coder", ["refund my payment now please"]);
        var strategy = new EmbeddingRoutingStrategy(options);
        Assert.Equal("billing", (await Decide(strategy, "refund my payment"))!.Primary.Name);

        var mean = new EmbeddingRoutingOptions { TopK = 1, Aggregation = EmbeddingScoreAggregation.Mean, Threshold = 0 }
            .AddRoute("billing", ["completely unrelated words"])
            .AddRoute("coder", ["refund my payment"]);
        Assert.Equal("coder", (await Decide(new EmbeddingRoutingStrategy(mean), "refund my payment"))!.Primary.Name);
    }

    [Fact]
    public async Task RoutesAreEmbeddedOnce_InOneBatch_WithAnyGenerator()
    {
        var generator = new CountingGenerator();
        var strategy = new EmbeddingRoutingStrategy(Routes(), generator);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Decide(strategy, "refund my invoice")));

        Assert.Equal(1, generator.Batches.Count(b => b > 1));
        Assert.Equal(11, generator.Batches.First(b => b > 1)); // all 11 utterances in one call
        Assert.Equal(20, generator.Batches.Count(b => b == 1)); // one call per request
    }

    [Fact]
    public async Task RoutesCanBeAddedAtRunTime_Concurrently()
    {
        var strategy = new EmbeddingRoutingStrategy(new EmbeddingRoutingOptions { Threshold = 0.5 }.AddRoute("chat", ["hello there"]));
        await strategy.WarmUpAsync();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
        {
            var route = new EmbeddingRoute { Name = $"r{i}", Target = "coder" };
            route.Utterances.Add($"special topic number {i} zebra{i}");
            return strategy.AddRouteAsync(route);
        }));

        Assert.Equal(11, strategy.Routes.Count);
        RouteDecision decision = (await Decide(strategy, "special topic number 7 zebra7"))!;
        Assert.Equal("nearest route 'r7' (similarity 1.00 >= 0.50)", decision.Reason);
    }

    [Fact]
    public async Task Thresholds_CanBeFittedFromLabelledExamples()
    {
        var strategy = new EmbeddingRoutingStrategy(Routes(threshold: 0));
        (string, string?)[] examples =
        [
            ("charged twice refund payment", "billing"),
            ("refund the invoice payment", "billing"),
            ("python function exception stack trace", "code"),
            ("fix my C# unit test", "code"),
            ("what is the capital of France", null),
            ("recommend a good book", null),
        ];

        IReadOnlyDictionary<string, double> fitted = await strategy.FitThresholdsAsync(examples);

        Assert.Equal(["billing", "code", "smalltalk"], fitted.Keys.Order());
        Assert.Null(await Decide(strategy, "what is the capital of France"));
        Assert.Equal("billing", (await Decide(strategy, "charged twice refund payment"))!.Primary.Name);
    }

    [Fact]
    public void BadRoutes_AreRejectedWithTheField()
    {
        var blank = new EmbeddingRoutingOptions();
        blank.AddRoute("billing", ["ok", " "], "b");
        Assert.Equal(["Embedding:Routes[0]:Utterances must hold at least one utterance, and no blank ones."], Assert.Throws<OptionsValidationException>(() => new EmbeddingRoutingStrategy(blank)).Failures);
        Assert.Equal(["Embedding:TopK must be at least 1 (was 0)."], Assert.Throws<OptionsValidationException>(() => new EmbeddingRoutingStrategy(new EmbeddingRoutingOptions { TopK = 0 })).Failures);
    }

    [Fact]
    public async Task ThroughDI_UnknownTargetsFailAtStartUp_AndTheStrategyAbstainsIntoTheDefault()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("billing", new TestChatClient("billing"))
            .AddTarget("general", new TestChatClient("general"))
            .Default("general")
            .UseEmbeddingRoutes(e => e.AddRoute("billing", ["refund my payment", "I was charged twice"])));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        Assert.Equal("billing", (await chat.GetResponseAsync("please refund my payment")).GetRouteInfo()!.Target);
        RouteInfo other = (await chat.GetResponseAsync("tell me about volcanoes")).GetRouteInfo()!;
        Assert.Equal(("general", "default"), (other.Target, other.Strategy));

        var bad = new ServiceCollection();
        bad.AddLlmRouter(r => r.AddTarget("a", new TestChatClient()).Default("a").UseEmbeddingRoutes(e => e.AddRoute("ghost", ["x"])));
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        Assert.StartsWith("Embedding route 'ghost' names target 'ghost', which is not a configured target", Assert.Throws<ArgumentException>(() => badProvider.GetRequiredService<IChatClient>()).Message, StringComparison.Ordinal);
    }

    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<int> _batches = new();

        public IEnumerable<int> Batches => _batches;

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            string[] texts = [.. values];
            _batches.Enqueue(texts.Length);
            return LocalEmbeddingGenerator.Default.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
