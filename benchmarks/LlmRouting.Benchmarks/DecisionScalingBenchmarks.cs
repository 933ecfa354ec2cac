using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>
/// Decision-only throughput on one and two threads: each of <see cref="Threads"/> threads makes
/// <see cref="PerThread"/> hybrid-chain decisions (<see cref="LlmRouterChatClient.DecideAsync"/>, 1 KB prompt) on one
/// shared router. The mean is per decision of one thread, so the scaling from 1 to 2 threads is
/// <c>2 × Mean(1) / Mean(2)</c> (2.0 when nothing on the decision path is shared or contended).
/// </summary>
[MemoryDiagnoser]
public class DecisionScalingBenchmarks
{
    private const int PerThread = 200;

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

    [Benchmark(OperationsPerInvoke = PerThread, Description = "hybrid decisions, 1 KB, per thread")]
    public void Decide()
    {
        if (Threads == 1)
        {
            Run();
            return;
        }

        // Pool threads (no thread start inside the measurement); each runs the same loop as the single-thread row.
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ => Run());
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
