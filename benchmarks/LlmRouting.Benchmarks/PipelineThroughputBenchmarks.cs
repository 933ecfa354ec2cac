using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Analysis;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Throughput of the QuickStart's pipeline (rules, hybrid: data policy, embedding routes, cost-aware with a budget;
/// fallback; ledger; telemetry) through the official OpenAI .NET client to a loopback Kestrel server, 8 requests in
/// flight, against the same client called directly. Time per request; throughput is its inverse, so the ratio column
/// is the direct call's throughput over the pipeline's.
/// </summary>
/// <remarks>
/// With <see cref="ModelLatencyMs"/> 0 the server answers at once: client, router and server then share the two cores, the
/// run is CPU-bound, and the ratio is the pipeline's CPU cost per request over the direct call's (the whole loopback HTTP
/// exchange, both ends, is the denominator). With a model latency the run is bound by the model, as any real deployment
/// is (hosted models answer in hundreds of milliseconds; 5 ms is far faster than any), and the ratio says whether the
/// router costs throughput at all.
/// </remarks>
[MemoryDiagnoser]
public class PipelineThroughputBenchmarks
{
    private const int Concurrency = 8;
    private const int PerWorker = 16;
    private const int Requests = Concurrency * PerWorker;

    private readonly List<ChatMessage> _messages = Conversation();
    private LoopbackOpenAIServer _server = null!;
    private IChatClient _direct = null!;
    private ServiceProvider _services = null!;
    private IChatClient _router = null!;

    /// <summary>Gets or sets how long the loopback model takes to answer, in milliseconds.</summary>
    [Params(0, 5)]
    public int ModelLatencyMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = LoopbackOpenAIServer.StartAsync(TimeSpan.FromMilliseconds(ModelLatencyMs)).GetAwaiter().GetResult();
        _direct = _server.ChatClient("gpt-4o-mini");
        _services = QuickStart(_server.ChatClient, PipelineLevel.Telemetry);
        _router = _services.GetRequiredService<IChatClient>();

        // Connections, JIT and the embedding index warm before measuring.
        RunAsync(_direct).GetAwaiter().GetResult();
        RunAsync(_router).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests, Description = "direct OpenAI client, 8 in flight")]
    public Task Direct() => RunAsync(_direct);

    [Benchmark(OperationsPerInvoke = Requests, Description = "QuickStart pipeline, 8 in flight")]
    public Task Pipeline() => RunAsync(_router);

    private async Task RunAsync(IChatClient client)
    {
        var workers = new Task[Concurrency];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                for (int i = 0; i < PerWorker; i++)
                {
                    await client.GetResponseAsync(_messages).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>The benchmark's pipeline, built up to <paramref name="upTo"/>: targets, then rules, hybrid routing, fallback, ledger and telemetry in turn.</summary>
    /// <param name="client">Makes a target's client for a model id.</param>
    /// <param name="upTo">The last layer to add.</param>
    /// <returns>The services; the router is their <see cref="IChatClient"/>.</returns>
    internal static ServiceProvider QuickStart(Func<string, IChatClient> client, PipelineLevel upTo)
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(router =>
        {
            router
                .AddTarget("premium", client("gpt-4o"), t => t.Prices(input: 2.50m, output: 10m).ContextWindow(128_000).Supports(ModelCapabilities.Tools | ModelCapabilities.Vision).Tier(QualityTier.Premium))
                .AddTarget("standard", client("gpt-4o-mini"), t => t.Prices(input: 0.15m, output: 0.60m).ContextWindow(16_000).Tier(QualityTier.Standard))
                .AddTarget("on-prem", client("llama-3.1-8b"), t => t.Prices(input: 0.05m, output: 0.08m).ContextWindow(8_192).Tags("on-prem").Tier(QualityTier.Economy))
                .Default("standard")
                .Baseline("premium");
            if (upTo >= PipelineLevel.Rules)
            {
                router.UseRules(rules => rules
                    .WhenMetadata("tier", "free").Named("free-tier").RouteTo("on-prem", "standard")
                    .WhenRiskAtLeast(RiskLevel.Medium).Named("high-stakes").RouteTo("premium"));
            }

            if (upTo >= PipelineLevel.Hybrid)
            {
                router.UseHybridRouting(h => h
                    .DataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
                    .EmbeddingRoutes(e => e
                        .AddRoute("premium", name: "hard-technical", utterances: ["our API returns this stack trace, what is wrong", "prove this mathematical statement step by step"])
                        .AddRoute("on-prem", name: "faq", utterances: ["what are your opening hours", "how do I reset my password"]))
                    .CostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = "tenant", Period = BudgetPeriod.Day, Limit = 1_000_000m })));
            }

            if (upTo >= PipelineLevel.Fallback)
            {
                router.UseFallback();
            }

            if (upTo >= PipelineLevel.Ledger)
            {
                router.UseLedger();
            }

            if (upTo >= PipelineLevel.Telemetry)
            {
                router.UseTelemetry();
            }
        });
        return services.BuildServiceProvider();
    }

    /// <summary>The request every pipeline benchmark and tool sends: one user turn of a QuickStart-like prompt.</summary>
    /// <returns>A new conversation.</returns>
    internal static List<ChatMessage> Conversation() =>
        [new(ChatRole.User, "Summarise last quarter's revenue report for our customers in three sentences, and say what to check next.")];
}

/// <summary>How much of the QuickStart pipeline <see cref="PipelineThroughputBenchmarks.QuickStart"/> builds.</summary>
internal enum PipelineLevel
{
    /// <summary>The three targets only.</summary>
    Targets,

    /// <summary>And the rules.</summary>
    Rules,

    /// <summary>And hybrid routing (data policy, embedding routes, cost-aware with a budget).</summary>
    Hybrid,

    /// <summary>And fallback.</summary>
    Fallback,

    /// <summary>And the ledger.</summary>
    Ledger,

    /// <summary>And telemetry: the whole pipeline.</summary>
    Telemetry,
}
