using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using Perfolizer.Metrology;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Resilience;

namespace LlmRouting.Benchmarks;

/// <summary>
/// What <c>UseFallback()</c> adds on the success path (the primary answers at once): the same router with the
/// direct executor (baseline), with the fallback executor alone (it calls the primary itself; MEAI's
/// <see cref="FailoverChatClient"/> only takes over on a failure; no per-target pipeline), and with the full default set-up (plus a Polly retry / circuit breaker / timeout
/// pipeline per target and the health filter). Non-streaming and streaming.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytes))]
public class FallbackOverheadBenchmarks
{
    private ServiceProvider _directProvider = null!;
    private ServiceProvider _failoverProvider = null!;
    private ServiceProvider _fullProvider = null!;
    private IChatClient _direct = null!;
    private IChatClient _failover = null!;
    private IChatClient _full = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_directProvider, _direct) = Build(null);
        (_failoverProvider, _failover) = Build(o => o.UseTargetResilience = false);
        (_fullProvider, _full) = Build(_ => { });
        _messages = [new ChatMessage(ChatRole.User, "Please summarise the meeting notes for the team.")];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _directProvider.Dispose();
        _failoverProvider.Dispose();
        _fullProvider.Dispose();
    }

    [Benchmark(Baseline = true, Description = "router, direct executor")]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(_messages);

    [Benchmark(Description = "router + fallback executor")]
    public Task<ChatResponse> FallbackExecutor() => _failover.GetResponseAsync(_messages);

    [Benchmark(Description = "router + fallback + Polly per target")]
    public Task<ChatResponse> FallbackWithPolly() => _full.GetResponseAsync(_messages);

    [Benchmark(Description = "stream: router, direct executor")]
    public Task<int> StreamDirect() => CountAsync(_direct);

    [Benchmark(Description = "stream: router + fallback executor")]
    public Task<int> StreamFallbackExecutor() => CountAsync(_failover);

    [Benchmark(Description = "stream: router + fallback + Polly per target")]
    public Task<int> StreamFallbackWithPolly() => CountAsync(_full);

    private async Task<int> CountAsync(IChatClient chat)
    {
        int n = 0;
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(_messages))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    /// <summary>Allocations in bytes, not rounded to KB: the figures to compare here.</summary>
    private sealed class ExactBytes : ManualConfig
    {
        public ExactBytes() => SummaryStyle = SummaryStyle.Default.WithSizeUnit(SizeUnit.B);
    }

    internal static (ServiceProvider Provider, IChatClient Chat) Build(Action<FallbackOptions>? fallback)
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", new NullChatClient(), t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
             .AddTarget("economy", new NullChatClient(), t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
             .Default("economy");
            if (fallback is not null)
            {
                r.UseFallback(o =>
                {
                    o.RequireFinishReason = false; // the null provider sends no finish reason
                    fallback(o);
                });
            }
        });
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<IChatClient>());
    }
}
