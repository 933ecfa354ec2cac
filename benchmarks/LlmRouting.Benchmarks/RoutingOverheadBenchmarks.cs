using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// What routing adds to a call: the provider called directly (baseline), Microsoft.Extensions.AI's
/// <see cref="RoutingChatClient.Create"/> with a trivial selector, and LlmRouting with five rules that are all
/// evaluated (none matches, so the default target serves) — for 100 B, 1 KB and 16 KB prompts.
/// </summary>
[MemoryDiagnoser]
public class RoutingOverheadBenchmarks
{
    private IChatClient _direct = null!;
    private IChatClient _meaiRouting = null!;
    private LlmRouterChatClient _llmRouter = null!;
    private List<ChatMessage> _messages = null!;
    private ChatOptions _options = null!;

    /// <summary>Gets or sets the prompt size in bytes.</summary>
    [Params(100, 1_024, 16_384)]
    public int PromptBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var premium = new NullChatClient();
        var economy = new NullChatClient();
        _direct = economy;
        _meaiRouting = RoutingChatClient.Create((_, _) => new ValueTask<IChatClient>(economy));

        var registry = new TargetRegistry(
        [
            new RouteTarget("premium", premium, new TargetProfile { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m, ContextWindow = 128_000, Capabilities = ModelCapabilities.Tools, Tier = QualityTier.Premium }),
            new RouteTarget("economy", economy, new TargetProfile { InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.60m, ContextWindow = 16_000, Tier = QualityTier.Economy }),
        ]);
        RuleOptions[] rules =
        [
            new() { Name = "free-tier", Target = "economy", Metadata = { ["tier"] = "free" } },
            new() { Name = "sensitive", Target = "economy", Tags = { "sensitive" } },
            new() { Name = "errors", Target = "premium", ContainsAny = { "stack trace", "exception" } },
            new() { Name = "long", Target = "premium", MinTokens = 5_000 },
            new() { Name = "tools", Target = "premium", Requires = ModelCapabilities.Tools },
        ];
        var strategy = new RuleStrategy(rules.Select((r, i) => RoutingRule.FromOptions(r, $"rule-{i}")));
        _llmRouter = new LlmRouterChatClient(registry, "economy", [strategy], new LlmRouterChatClientOptions { Baseline = "premium" });

        // Plain text of the requested size that matches none of the rules.
        string text = string.Concat(Enumerable.Repeat("Please summarise the meeting notes for the team. ", (PromptBytes / 49) + 1))[..PromptBytes];
        _messages = [new ChatMessage(ChatRole.User, text)];
        _options = new ChatOptions { AdditionalProperties = new() { ["tier"] = "pro" } };
    }

    [GlobalCleanup]
    public void Cleanup() => _llmRouter.Dispose();

    [Benchmark(Baseline = true, Description = "direct call")]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "MEAI RoutingChatClient.Create")]
    public Task<ChatResponse> MeaiRoutingChatClient() => _meaiRouting.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "LlmRouter, 5 rules")]
    public Task<ChatResponse> LlmRouterFiveRules() => _llmRouter.GetResponseAsync(_messages, _options);
}
