using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The issue-17 rows measured in CPU time of the measuring thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>) instead of wall
/// time: on a shared machine a wall-clock benchmark also counts the time the thread waited for a core, which can be
/// ten times the work; CPU time counts only the work (cache effects of other processes remain). Each row runs the
/// BenchmarkDotNet suite's own setup and method; the figure is the lowest of seven rounds, with the baseline row of the
/// same suite beside it. Run with <c>dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --cpu-times [row name parts]</c>
/// (for example <c>--cpu-times embed hybrid</c>; baselines are rows too, so name them when filtering).
/// </summary>
internal static class CpuTimes
{
    private const int Rounds = 7;

    /// <summary>The parts of row names to run (case-insensitive); empty runs every row.</summary>
    private static string[] _rows = [];

    /// <summary>Runs the rows whose names contain one of <paramref name="rows"/> (all when empty); <c>agents</c> runs issue 16's agent rows instead.</summary>
    public static int Run(string[] rows)
    {
        bool agents = rows is ["agents"];
        _rows = agents ? [] : rows;
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("--cpu-times reads the thread CPU clock of Linux; use the BenchmarkDotNet suites elsewhere.");
            return 2;
        }

        Console.WriteLine("row | ns per op (thread CPU time, best of 7)");
        if (agents)
        {
            AgentRows();
            return 0;
        }

        var cache = new CacheHitBenchmarks();
        cache.Setup();
        Row("cache: routed, no cache (baseline)", 20_000, () => cache.Uncached().GetAwaiter().GetResult());
        Row("cache: routed, exact-cache hit", 20_000, () => cache.ExactHit().GetAwaiter().GetResult());
        cache.Cleanup();

        var load = new LoadBalancingBenchmarks { Targets = 10 };
        load.Setup();
        Row("load 10: first candidate (baseline)", 200_000, () => load.FirstCandidate());
        Row("load 10: least in-flight", 100_000, () => load.LeastInFlight());
        Row("load 10: lowest latency", 100_000, () => load.LowestLatency());
        Row("load 10: power of two", 100_000, () => load.PowerOfTwo());
        Row("load 10: weighted split", 100_000, () => load.WeightedSplit());
        Row("load 10: weighted split, sticky", 100_000, () => load.StickySplit());
        Row("load 10: consistent hash", 100_000, () => load.ConsistentHash());

        foreach (int bytes in new[] { 1_024, 16_384 })
        {
            var scan = new AnalyzerScanBenchmarks { PromptBytes = bytes };
            scan.Setup();
            int n = bytes > 2_000 ? 500 : 5_000;
            Row($"{bytes} B: one-pass scalar scan (baseline)", n, () => scan.ScalarScan());
            Row($"{bytes} B: analyzer", n, () => scan.Analyzer());

            var strategies = new StrategyDecisionBenchmarks { PromptBytes = bytes };
            strategies.Setup();
            Row($"{bytes} B: request + analysis", n, () => strategies.Analyzer());
            string[] texts = [BenchmarkPrompts.Text(bytes), BenchmarkPrompts.OtherText(bytes)];
            float[] vector = new float[Embeddings.LocalEmbeddingGenerator.DefaultDimensions];
            int turn = 0;
            Row($"{bytes} B: local embedder alone (two texts in turn)", n, () => Embeddings.LocalEmbeddingGenerator.Default.Embed(texts[turn ^= 1], vector));
            Row($"{bytes} B: local embedder before (reference copy)", n, () => Tests.Embedding.Reference.ReferenceEmbedder.Embed(texts[turn ^= 1], vector.Length));
            if (bytes == 1_024)
            {
                float[] matrix = new float[500 * 256];
                float[] query = new float[256];
                float[] scores = new float[500];
                for (int i = 0; i < matrix.Length; i++)
                {
                    matrix[i] = (i % 7) * 0.01f;
                }

                Row("route matrix 500 x 256, one query (Strategies.RouteMatrix.Dot)", 5_000, () => Strategies.RouteMatrix.Dot(matrix, query, scores));

                // The benchmark's own 50 x 10 routes and prompt: every row in floats, then the 8-bit first pass with the exact re-score.
                float[] routes = [.. BenchmarkPrompts.Routes(50, 10).SelectMany(r => r.Utterances).SelectMany(u => Embeddings.LocalEmbeddingGenerator.Default.Embed(u))];
                int[] rowRoute = [.. Enumerable.Range(0, 500).Select(r => r / 10)];
                Strategies.QuantizedRouteMatrix quantized = Strategies.QuantizedRouteMatrix.Create(routes, 500, 256)!;
                float[] prompt = Embeddings.LocalEmbeddingGenerator.Default.Embed(texts[0]);
                float[] top = new float[3];
                int[] topRows = new int[3];
                float[] approximate = new float[500], bounds = new float[500];
                Row($"route 500 x 256, the 8-bit first pass alone ({Strategies.QuantizedRouteMatrix.Kernel})", 5_000, () => quantized.Approximate(prompt, approximate, bounds));
                Row("route top-3 of 500 x 256, every row in floats", 5_000, () => Strategies.RouteTopK.Find(routes, null, rowRoute, prompt, default, top, topRows));
                Row($"route top-3 of 500 x 256, 8-bit pass + exact re-score ({Strategies.RouteTopK.Find(routes, quantized, rowRoute, prompt, default, top, topRows)} rows re-scored)", 5_000, () => Strategies.RouteTopK.Find(routes, quantized, rowRoute, prompt, default, top, topRows));
            }

            Row($"{bytes} B: embedding 50 x 10", n, () => strategies.Embedding().GetAwaiter().GetResult());
            Row($"{bytes} B: embedding 50 x 10, whole turn", n, () => strategies.EmbeddingWholeTurn().GetAwaiter().GetResult());
            Row($"{bytes} B: hybrid chain decision", n, () => strategies.Hybrid().GetAwaiter().GetResult());
            Row($"{bytes} B: hybrid chain decision, embedding the whole turn", n, () => strategies.HybridWholeTurn().GetAwaiter().GetResult());
            strategies.Cleanup();

            foreach (int regions in new[] { 0, 57 })
            {
                // The suite's setup trains a model, so it runs only when one of its rows is asked for.
                string baseline = $"{bytes} B: adaptive, {regions} regions: default score (baseline)", decision = $"{bytes} B: adaptive, {regions} regions: decision";
                if (Wanted(baseline) || Wanted(decision))
                {
                    var adaptive = new AdaptiveDecisionBenchmarks { PromptBytes = bytes, Regions = regions };
                    adaptive.Setup();
                    Row(baseline, n, () => adaptive.DefaultScore());
                    Row(decision, n, () => adaptive.AdaptiveDecide().GetAwaiter().GetResult());
                }
            }
        }

        var overhead = new RoutingOverheadBenchmarks { PromptBytes = 1_024 };
        overhead.Setup();
        Row("1 KB: direct call (baseline)", 50_000, () => overhead.Direct().GetAwaiter().GetResult());
        Row("1 KB: LlmRouter, 5 rules", 50_000, () => overhead.LlmRouterFiveRules().GetAwaiter().GetResult());
        overhead.Cleanup();

        var fallback = new FallbackOverheadBenchmarks();
        fallback.Setup();
        Row("router, direct executor (baseline)", 50_000, () => fallback.Direct().GetAwaiter().GetResult());
        Row("router + fallback executor", 50_000, () => fallback.FallbackExecutor().GetAwaiter().GetResult());
        Row("router + fallback + Polly", 50_000, () => fallback.FallbackWithPolly().GetAwaiter().GetResult());
        Row("stream: router, direct executor", 50_000, () => fallback.StreamDirect().GetAwaiter().GetResult());
        Row("stream: router + fallback executor", 50_000, () => fallback.StreamFallbackExecutor().GetAwaiter().GetResult());
        Row("stream: router + fallback + Polly", 50_000, () => fallback.StreamFallbackWithPolly().GetAwaiter().GetResult());
        fallback.Cleanup();
        AgentRows();
        return 0;
    }

    /// <summary>Issue 16's rows: the decision at steps 1, 10 and 50 of an agent loop over a 100 KB history (<see cref="AgentDecisionBenchmarks"/>).</summary>
    private static void AgentRows()
    {
        foreach (int step in new[] { 1, 10, 50 })
        {
            var agent = new AgentDecisionBenchmarks { Step = step };
            agent.Setup();
            // The re-reading baseline last (its 270 KB per operation would weigh on the collections of the rows after it);
            // each row also shows the median and the worst of its rounds: every operation leaves a memo in a weak table
            // keyed by a message that dies at once, and dead entries make later gen-0 collections slower.
            Row($"agent step {step}: the step's new messages only (floor)", 20_000, () => agent.NewMessagesOnly().AsTask().GetAwaiter().GetResult(), spread: true);
            Row($"agent step {step}: agent step", 20_000, () => agent.AgentStep().AsTask().GetAwaiter().GetResult(), spread: true);
            Row($"agent step {step}: rereading the history (baseline)", 200, () => agent.Rereading().AsTask().GetAwaiter().GetResult(), spread: true);
            agent.Cleanup();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
    }

    /// <summary>Whether the row named <paramref name="name"/> is asked for.</summary>
    private static bool Wanted(string name) => _rows.Length == 0 || _rows.Any(r => name.Contains(r, StringComparison.OrdinalIgnoreCase));

    private static void Row(string name, int operations, Action operation, bool spread = false)
    {
        if (!Wanted(name))
        {
            return;
        }

        // Warm up for long enough that the tiered JIT has promoted the hot methods (it waits 100 ms without new tier-0 code
        // before it counts calls): with a count alone, the first rows of a run measured partly unoptimised code.
        long warmUntil = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 2);
        for (int i = 0; i < Math.Max(1_000, operations / 10) || Stopwatch.GetTimestamp() < warmUntil; i++)
        {
            operation();
        }

        double[] rounds = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            long start = ThreadCpuNanoseconds();
            for (int i = 0; i < operations; i++)
            {
                operation();
            }

            rounds[round] = (ThreadCpuNanoseconds() - start) / (double)operations;
        }

        Array.Sort(rounds);
        Console.WriteLine(spread ? $"{name} | {rounds[0]:0.0} (median {rounds[Rounds / 2]:0.0}, worst {rounds[^1]:0.0})" : $"{name} | {rounds[0]:0.0}");
    }

    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        if (clock_gettime(ClockThreadCpuTimeId, out TimeSpec time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, CA5392 // The libc name; libc is resolved by the runtime's default probing.
    private static extern int clock_gettime(int clockId, out TimeSpec time);
#pragma warning restore SA1300, CA5392

#pragma warning disable SA1401, CA1051 // The layout of libc's struct timespec.
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
#pragma warning restore SA1401, CA1051
}
