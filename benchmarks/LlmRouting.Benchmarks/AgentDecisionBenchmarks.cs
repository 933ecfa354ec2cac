using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using LlmRouting.Agents;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Decision time at step 1, 10 and 50 of an agent loop over a 100 KB history (rules, data policy, cost-aware, agent sessions).
/// <see cref="Rereading"/> is the baseline: every message is a new object, so the analyzer reads the whole history again
/// (what every step cost before per-message reuse). <see cref="AgentStep"/> is a real agent: the history is the same
/// objects as at the previous step, and only the step's new tool call and result are new. <see cref="NewMessagesOnly"/>
/// is the floor: the same decision over the step's two new messages alone (what the step's new text costs, with the
/// router's fixed cost per decision).
/// </summary>
[MemoryDiagnoser]
public class AgentDecisionBenchmarks
{
    private static readonly AITool Tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");
    private LlmRouterChatClient _router = null!;
    private List<ChatMessage> _history = null!;
    private ChatOptions _options = null!;

    /// <summary>Gets or sets the step of the agent loop.</summary>
    [Params(1, 10, 50)]
    public int Step { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TargetRegistry registry = BenchmarkPrompts.Registry(out _, out _);
        var builder = new LlmRouterBuilder();
        foreach (RouteTarget target in registry.Targets)
        {
            builder.AddTarget(target.Name, target.Client, t => t.Prices(target.Profile.InputPricePerMillion, target.Profile.OutputPricePerMillion).Tier(target.Profile.Tier)
                .Supports(ModelCapabilities.Tools).ContextWindow(1_000_000).Tags([.. target.Profile.Tags]));
        }

        _router = builder.Default("economy")
            .UseRules(r => r.WhenContainsAny("stack trace", "exception").RouteTo("premium"))
            .UseCostAware()
            .UseAgentSessions()
            .Build();
        _options = new ChatOptions { Tools = [Tool], AdditionalProperties = new() { [RequestMetadataKeys.Session] = "bench" } };
        _history = [new ChatMessage(ChatRole.System, "You are a careful assistant with tools.")];

        // Earlier turns: 100 KB of user and assistant text.
        string text = BenchmarkPrompts.Text(1_024);
        for (int i = 0; i < 50; i++)
        {
            _history.Add(new ChatMessage(ChatRole.User, text));
            _history.Add(new ChatMessage(ChatRole.Assistant, text));
        }

        _history.Add(new ChatMessage(ChatRole.User, "Check the weather in every city on the list and summarise it."));
        for (int i = 1; i < Step; i++)
        {
            _history.AddRange(StepMessages(i));
        }

        // The steps before this one were decided: their messages have been read once.
        _router.DecideAsync(_history, _options).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _router.Dispose();

    // Each conversation is a List, as MEAI's FunctionInvokingChatClient passes its growing history.
    [Benchmark(Baseline = true)]
    public ValueTask<RouteInfo> Rereading()
    {
        List<ChatMessage> messages = [.. _history.Select(m => m.Clone()), .. StepMessages(Step)];
        return _router.DecideAsync(messages, _options);
    }

    [Benchmark]
    public ValueTask<RouteInfo> AgentStep()
    {
        List<ChatMessage> messages = [.. _history, .. StepMessages(Step)];
        return _router.DecideAsync(messages, _options);
    }

    [Benchmark]
    public ValueTask<RouteInfo> NewMessagesOnly()
    {
        List<ChatMessage> messages = [.. StepMessages(Step)];
        return _router.DecideAsync(messages, _options);
    }

    private static ChatMessage[] StepMessages(int i) =>
    [
        new(ChatRole.Assistant, [new FunctionCallContent($"call-{i}", "get_weather", new Dictionary<string, object?> { ["city"] = $"city-{i}" })]),
        new(ChatRole.Tool, [new FunctionResultContent($"call-{i}", $"Sunny, 21 degrees, light wind from the west in city-{i}.")]),
    ];
}
