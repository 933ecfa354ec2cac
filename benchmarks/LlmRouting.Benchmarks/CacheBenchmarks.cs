using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Caching;

namespace LlmRouting.Benchmarks;

/// <summary>Exact-cache hit against an uncached routed call; semantic-cache hit end to end (embed + lookup + replay).</summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "What are your opening hours on Saturday? I would like to visit the shop with my family.")];
    private ServiceProvider _uncached = null!;
    private ServiceProvider _exact = null!;
    private IChatClient _uncachedChat = null!;
    private IChatClient _exactChat = null!;
    private SemanticCacheChatClient _semantic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _uncached = Build(cache: false);
        _exact = Build(cache: true);
        _uncachedChat = _uncached.GetRequiredService<IChatClient>();
        _exactChat = _exact.GetRequiredService<IChatClient>();
        _exactChat.GetResponseAsync(_messages).GetAwaiter().GetResult();
        _semantic = new SemanticCacheChatClient(new NullChatClient());
        _semantic.GetResponseAsync(_messages).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _uncached.Dispose();
        _exact.Dispose();
        _semantic.Dispose();
    }

    [Benchmark(Baseline = true, Description = "routed, no cache (instant provider)")]
    public Task<ChatResponse> Uncached() => _uncachedChat.GetResponseAsync(_messages);

    [Benchmark(Description = "routed, exact-cache hit (HybridCache L1)")]
    public Task<ChatResponse> ExactHit() => _exactChat.GetResponseAsync(_messages);

    [Benchmark(Description = "semantic-cache hit (local embedder, 1 entry)")]
    public Task<ChatResponse> SemanticHit() => _semantic.GetResponseAsync(_messages);

    private static ServiceProvider Build(bool cache)
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r =>
        {
            r.AddTarget("economy", new NullChatClient(), t => t.Prices(input: 0.15m, output: 0.60m)).Default("economy");
            if (cache)
            {
                r.UseExactCache();
            }
        });
        return services.BuildServiceProvider();
    }
}

/// <summary>Nearest-neighbour lookup in the in-memory semantic-cache index: 256-dimension unit vectors, one scope.</summary>
[MemoryDiagnoser]
public class SemanticLookupBenchmarks
{
    private const int Dimensions = 256;
    private InMemorySemanticCacheIndex _index = null!;
    private float[] _query = null!;
    private readonly SemanticCacheScope _scope = new("tenant", "partition");

    [Params(1_000, 10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _index = new InMemorySemanticCacheIndex(Entries);
        var entry = new SemanticCacheEntry(new byte[] { 1 }, "target", DateTimeOffset.MaxValue);
        for (int i = 0; i < Entries; i++)
        {
            _index.Add(_scope, RandomVector(random), entry);
        }

        _query = RandomVector(random);
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark(Baseline = true, Description = "every row compared (threshold 0)")]
    public SemanticCacheMatch? FullScan() => _index.FindNearest(_scope, _query, 0f);

    [Benchmark(Description = "signature prefilter + exact cosine (threshold 0.92)")]
    public SemanticCacheMatch? FindNearest() => _index.FindNearest(_scope, _query, 0.92f);

    private static float[] RandomVector(Random random)
    {
        float[] vector = new float[Dimensions];
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return vector;
    }
}
