using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using LlmRouting.Strategies;

namespace LlmRouting.Benchmarks;

/// <summary>
/// What one load-aware decision costs: each policy's <see cref="IRoutingStrategy.DecideAsync"/> over 3 and 10
/// candidates with a warm tracker (every target has calls in flight and latency samples), against a baseline
/// that just names the first candidate; plus the tracker's start/end pair that every tracked call pays.
/// </summary>
[MemoryDiagnoser]
public class LoadBalancingBenchmarks
{
    private TargetLoadTracker _tracker = null!;
    private RoutingRequest _request = null!;
    private RouteCandidates _candidates = null!;
    private LeastInFlightStrategy _leastInFlight = null!;
    private LowestLatencyStrategy _lowestLatency = null!;
    private PowerOfTwoChoicesStrategy _powerOfTwo = null!;
    private WeightedSplitStrategy _weightedSplit = null!;
    private WeightedSplitStrategy _stickySplit = null!;
    private ConsistentHashStrategy _consistentHash = null!;

    /// <summary>Gets or sets the number of candidate targets.</summary>
    [Params(3, 10)]
    public int Targets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var client = new NullChatClient();
        string[] names = [.. Enumerable.Range(0, Targets).Select(i => $"target-{i}")];
        var registry = new TargetRegistry(names.Select(n => new RouteTarget(n, client, new TargetProfile())));
        _candidates = RouteCandidates.All(registry);
        _request = new RoutingRequest(
            [new ChatMessage(ChatRole.User, "Summarise the meeting notes for the team.")],
            new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.User] = "user-4711" } });

        // A warm tracker with a fake clock: distinct latencies and a few calls left in flight per target.
        var time = new ManualTimeProvider();
        _tracker = new TargetLoadTracker(new LoadTrackingOptions(), time);
        for (int i = 0; i < names.Length; i++)
        {
            for (int sample = 0; sample < 5; sample++)
            {
                long start = _tracker.Start(names[i]);
                time.Advance(TimeSpan.FromMilliseconds(100 + (37 * i) + sample));
                _tracker.End(names[i], start, LoadOutcome.Succeeded);
            }

            for (int open = 0; open < (i * 7) % 5; open++)
            {
                _tracker.Start(names[i]);
            }
        }

        _leastInFlight = new LeastInFlightStrategy(_tracker);
        _lowestLatency = new LowestLatencyStrategy(_tracker);
        _powerOfTwo = new PowerOfTwoChoicesStrategy(_tracker, random: new Random(42));
        _weightedSplit = new WeightedSplitStrategy(Weights(names, stickyKey: null));
        _stickySplit = new WeightedSplitStrategy(Weights(names, RequestMetadataKeys.User));
        _consistentHash = new ConsistentHashStrategy(names);
    }

    [Benchmark(Baseline = true, Description = "first candidate (baseline)")]
    public RouteDecision FirstCandidate() => RouteDecision.To(_candidates.Targets[0], "first", "first candidate");

    [Benchmark(Description = "least in-flight")]
    public RouteDecision? LeastInFlight() => _leastInFlight.DecideAsync(_request, _candidates, default).Result;

    [Benchmark(Description = "lowest latency (EWMA)")]
    public RouteDecision? LowestLatency() => _lowestLatency.DecideAsync(_request, _candidates, default).Result;

    [Benchmark(Description = "power of two choices")]
    public RouteDecision? PowerOfTwo() => _powerOfTwo.DecideAsync(_request, _candidates, default).Result;

    [Benchmark(Description = "weighted split (random)")]
    public RouteDecision? WeightedSplit() => _weightedSplit.DecideAsync(_request, _candidates, default).Result;

    [Benchmark(Description = "weighted split (sticky on user)")]
    public RouteDecision? StickySplit() => _stickySplit.DecideAsync(_request, _candidates, default).Result;

    [Benchmark(Description = "consistent hash (160 vnodes)")]
    public RouteDecision? ConsistentHash() => _consistentHash.DecideAsync(_request, _candidates, default).Result;

    [Benchmark(Description = "tracker start + end (per call)")]
    public void TrackerStartEnd() => _tracker.End("target-0", _tracker.Start("target-0"), LoadOutcome.Succeeded);

    private static WeightedSplitOptions Weights(string[] names, string? stickyKey)
    {
        var options = new WeightedSplitOptions { StickyKey = stickyKey, Random = new Random(42) };
        for (int i = 0; i < names.Length; i++)
        {
            options.Weights[names[i]] = i == names.Length - 1 ? 5 : 95.0 / (names.Length - 1);
        }

        return options;
    }

    /// <summary>A clock that only moves when told to, so the warm-up latencies are exact.</summary>
    private sealed class ManualTimeProvider : TimeProvider
    {
        private long _timestamp;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _timestamp;

        public void Advance(TimeSpan by) => _timestamp += by.Ticks;
    }
}
