using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmRouting.Caching;

/// <summary>The caches' instruments on the <c>LlmRouting</c> meter: hits, misses, similarity of semantic hits and the cost saved.</summary>
/// <remarks>Tags: <c>llmrouting.cache.kind</c> (<c>exact</c> or <c>semantic</c>) and, for the exact cache, <c>llmrouting.target</c>. No tenant, prompt or key is ever a tag.</remarks>
internal sealed class CacheMetrics
{
    public const string MeterName = "LlmRouting";
    public const string KindTag = "llmrouting.cache.kind";
    public const string TargetTag = "llmrouting.target";
    public const string Exact = "exact";
    public const string Semantic = "semantic";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Histogram<double> _similarity;
    private readonly Counter<double> _savedCost;

    public CacheMetrics(IMeterFactory? meterFactory = null)
    {
        Meter meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _hits = meter.CreateCounter<long>("llmrouting.cache.hits", "{request}", "Requests answered from a cache.");
        _misses = meter.CreateCounter<long>("llmrouting.cache.misses", "{request}", "Cacheable requests a cache could not answer.");
        _similarity = meter.CreateHistogram<double>(
            "llmrouting.cache.similarity",
            unit: null,
            description: "Cosine similarity of the cached request that answered a semantic-cache hit.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.80, 0.85, 0.88, 0.90, 0.92, 0.94, 0.96, 0.98, 0.99, 1.0] });
        _savedCost = meter.CreateCounter<double>("llmrouting.cache.saved_cost", "{currency}", "What cache hits would have cost at the serving target's prices.");
    }

    /// <summary>Gets the process-wide instance used when no meter factory is available.</summary>
    public static CacheMetrics Shared { get; } = new();

    public void Hit(string kind, string? target, double? similarity, decimal? savedCost)
    {
        TagList tags = Tags(kind, target);
        _hits.Add(1, tags);
        if (similarity is { } s)
        {
            _similarity.Record(s, tags);
        }

        if (savedCost is { } cost && cost > 0)
        {
            _savedCost.Add((double)cost, tags);
        }
    }

    public void Miss(string kind, string? target) => _misses.Add(1, Tags(kind, target));

    private static TagList Tags(string kind, string? target)
    {
        var tags = new TagList { { KindTag, kind } };
        if (target is not null)
        {
            tags.Add(TargetTag, target);
        }

        return tags;
    }
}
