using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Configuration;
using LlmRouting.Filtering;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Decision latency and allocations per strategy, for 100 B, 1 KB and 16 KB prompts. Each operation builds a
/// fresh <see cref="RoutingRequest"/> (features are computed lazily once per request) and asks one strategy;
/// "hybrid" is the whole chain through <see cref="LlmRouterChatClient.DecideAsync"/> (filters, rules, embedding,
/// cost-aware).
/// </summary>
[MemoryDiagnoser]
public class StrategyDecisionBenchmarks
{
    private RouteCandidates _candidates = null!;
    private RuleStrategy _rules = null!;
    private EmbeddingRoutingStrategy _embedding = null!;
    private EmbeddingRoutingStrategy _embeddingWholeTurn = null!;
    private CostAwareStrategy _costAware = null!;
    private JudgeStrategy _judge = null!;
    private LlmRouterChatClient _hybrid = null!;
    private LlmRouterChatClient _hybridWholeTurn = null!;
    private string _text = null!;
    private string _otherText = null!;
    private bool _flip;

    /// <summary>Gets or sets the prompt size in bytes.</summary>
    [Params(100, 1_024, 16_384)]
    public int PromptBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TargetRegistry registry = BenchmarkPrompts.Registry(out _, out _);
        _candidates = RouteCandidates.All(registry);
        _text = BenchmarkPrompts.Text(PromptBytes);
        _otherText = BenchmarkPrompts.OtherText(PromptBytes);

        _rules = Rules();
        _embedding = new EmbeddingRoutingStrategy(EmbeddingOptions());
        _embedding.WarmUpAsync().GetAwaiter().GetResult();
        _embeddingWholeTurn = new EmbeddingRoutingStrategy(EmbeddingOptions(wholeTurn: true));
        _embeddingWholeTurn.WarmUpAsync().GetAwaiter().GetResult();
        _costAware = new CostAwareStrategy();
        _judge = new JudgeStrategy(new InstantJudge(), prices: registry["economy"].Profile);
        _hybrid = Hybrid(registry);
        _hybridWholeTurn = Hybrid(registry, wholeTurn: true);
    }

    /// <summary>The documented hybrid chain: data-policy filter, five rules, embedding routes 50 x 10, cost-aware.</summary>
    /// <param name="registry">The targets.</param>
    /// <param name="wholeTurn">Whether the embedding stage embeds the whole turn however long (<see cref="EmbeddingRoutingOptions.MaxEmbeddedCharacters"/> <see langword="null"/>) instead of its default window.</param>
    internal static LlmRouterChatClient Hybrid(TargetRegistry registry, bool wholeTurn = false)
    {
        var embedding = new EmbeddingRoutingStrategy(EmbeddingOptions(wholeTurn));
        embedding.WarmUpAsync().GetAwaiter().GetResult();
        var policy = new DataPolicyOptions();
        policy.AllowedTargetTags.Add("on-prem");
        return new LlmRouterChatClient(
            registry,
            "economy",
            [Rules(), embedding, new CostAwareStrategy()],
            new LlmRouterChatClientOptions { Filters = { new DataPolicyFilter(policy) } });
    }

    private static RuleStrategy Rules()
    {
        RuleOptions[] rules =
        [
            new() { Name = "free-tier", Target = "economy", Metadata = { ["tier"] = "free" } },
            new() { Name = "errors", Target = "premium", ContainsAny = { "stack trace", "exception" } },
            new() { Name = "long", Target = "premium", MinTokens = 50_000 },
            new() { Name = "maths", Target = "premium", Tasks = { TaskType.Math } },
            new() { Name = "pii", Target = "economy", HasPii = true },
        ];
        return new RuleStrategy(rules.Select((r, i) => RoutingRule.FromOptions(r, $"rule-{i}")));
    }

    private static EmbeddingRoutingOptions EmbeddingOptions(bool wholeTurn = false)
    {
        // 50 routes x 10 utterances on the built-in embedder; a threshold no route reaches, so every utterance is scored.
        var embedding = new EmbeddingRoutingOptions { Threshold = 0.99, TopK = 3 };
        if (wholeTurn)
        {
            embedding.MaxEmbeddedCharacters = null;
        }

        foreach ((string name, string[] utterances) in BenchmarkPrompts.Routes(50, 10))
        {
            embedding.AddRoute(name.EndsWith('0') ? "premium" : "economy", utterances, name);
        }

        return embedding;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hybrid.Dispose();
        _hybridWholeTurn.Dispose();
    }

    [Benchmark(Baseline = true, Description = "analyzer")]
    public RequestAnalysis Analyzer() => new RoutingRequest(_text).Analysis;

    [Benchmark(Description = "rules (5)")]
    public ValueTask<RouteDecision?> RulesDecision() => _rules.DecideAsync(new RoutingRequest(_text), _candidates, default);

    [Benchmark(Description = "embedding (50 x 10)")]
    public ValueTask<RouteDecision?> Embedding() => _embedding.DecideAsync(new RoutingRequest(Text()), _candidates, default);

    [Benchmark(Description = "embedding (50 x 10), whole turn")]
    public ValueTask<RouteDecision?> EmbeddingWholeTurn() => _embeddingWholeTurn.DecideAsync(new RoutingRequest(Text()), _candidates, default);

    [Benchmark(Description = "cost-aware")]
    public ValueTask<RouteDecision?> CostAware() => _costAware.DecideAsync(new RoutingRequest(_text), _candidates, default);

    [Benchmark(Description = "judge (instant fake judge)")]
    public ValueTask<RouteDecision?> Judge() => _judge.DecideAsync(new RoutingRequest(_text), _candidates, default);

    [Benchmark(Description = "hybrid chain (policy, rules, embedding, cost-aware)")]
    public ValueTask<RouteInfo> Hybrid() => _hybrid.DecideAsync([new ChatMessage(ChatRole.User, Text())]);

    [Benchmark(Description = "hybrid chain, embedding the whole turn")]
    public ValueTask<RouteInfo> HybridWholeTurn() => _hybridWholeTurn.DecideAsync([new ChatMessage(ChatRole.User, Text())]);

    /// <summary>
    /// Two texts of the same size in turn, so the local embedder's memo of the last text never answers; with a new message per
    /// operation (as with real traffic), so no per-message analysis is reused either.
    /// </summary>
    private string Text() => (_flip = !_flip) ? _text : _otherText;

    /// <summary>A judge that answers at once, so the benchmark measures the strategy's own work (prompt, parse, cost).</summary>
    private sealed class InstantJudge : IChatClient
    {
        private static readonly Task<ChatResponse> Answer = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ECONOMY"))
        {
            Usage = new UsageDetails { InputTokenCount = 400, OutputTokenCount = 2 },
        });

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => Answer;

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The judge is only asked for whole responses.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
