using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Decision-only throughput on one and two threads: each of <see cref="Threads"/> threads makes
/// <see cref="PerThread"/> hybrid-chain decisions (<see cref="LlmRouterChatClient.DecideAsync"/>, 1 KB prompt) on one
/// shared router. The mean is per decision of one thread, so the scaling from 1 to 2 threads is
/// <c>2 × Mean(1) / Mean(2)</c> (2.0 when nothing on the decision path is shared or contended).
/// </summary>
/// <remarks>
/// The baseline row runs the same threads over work that shares nothing and allocates nothing (the analyzer's floor,
/// a scalar scan of the same 1 KB text, repeated to about a decision's length): its scaling is what the machine itself
/// gives two threads (two virtual cores may share a physical core, caches and memory bandwidth with each other and with
/// other tenants), so the decisions' scaling is read against it from the same run.
/// </remarks>
[MemoryDiagnoser]
public class DecisionScalingBenchmarks
{
    private const int PerThread = 200;

    // Scans of the 1 KB text per baseline operation: about one hybrid decision's CPU time.
    private const int ScansPerOperation = 12;

    private LlmRouterChatClient _router = null!;
    private string _text = null!;
    private string _otherText = null!;

    /// <summary>Gets or sets the number of threads deciding at once.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _router = StrategyDecisionBenchmarks.Hybrid(BenchmarkPrompts.Registry(out _, out _));
        _text = BenchmarkPrompts.Text(1_024);
        _otherText = BenchmarkPrompts.OtherText(1_024);
        _router.DecideAsync(BenchmarkPrompts.Messages(_text)).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _router.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = PerThread, Description = "floor: 12 scalar scans of 1 KB, per thread")]
    public void Floor() => OnThreads(Scan);

    [Benchmark(OperationsPerInvoke = PerThread, Description = "hybrid decisions, 1 KB, per thread")]
    public void Decide() => OnThreads(Run);

    private void OnThreads(Action body)
    {
        if (Threads == 1)
        {
            body();
            return;
        }

        // Pool threads (no thread start inside the measurement); each runs the same loop as the single-thread row.
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ => body());
    }

    private void Scan()
    {
        int sum = 0;
        for (int i = 0; i < PerThread * ScansPerOperation; i++)
        {
            sum += AnalyzerScanBenchmarks.Scan(i % 2 == 0 ? _text : _otherText);
        }

        GC.KeepAlive(sum);
    }

    private void Run()
    {
        for (int i = 0; i < PerThread; i++)
        {
            // A new message with one of two texts in turn (no memo answers); every strategy of the chain answers synchronously.
            _ = _router.DecideAsync([new ChatMessage(ChatRole.User, i % 2 == 0 ? _text : _otherText)]).GetAwaiter().GetResult();
        }
    }
}
