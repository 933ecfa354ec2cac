using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using LlmRouting.Caching;

namespace LlmRouting.Tests.Caching;

public class CacheMetricsTests
{
    [Fact]
    public async Task ExactCache_CountsHitsMissesAndSavedCost()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory, TestMeterFactory>();
        services.AddLlmRouter(r => r
            .AddTarget("economy", new TestChatClient("economy"), t => t.Prices(input: 0.15m, output: 0.60m))
            .UseExactCache()
            .Default("economy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IMeterFactory meters = provider.GetRequiredService<IMeterFactory>();
        using var hits = new MetricCollector<long>(meters, "LlmRouting", "llmrouting.cache.hits");
        using var misses = new MetricCollector<long>(meters, "LlmRouting", "llmrouting.cache.misses");
        using var saved = new MetricCollector<double>(meters, "LlmRouting", "llmrouting.cache.saved_cost");
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync("Q");
        await chat.GetResponseAsync("Q");
        await chat.GetResponseAsync("Q");

        Assert.Equal(1, misses.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, hits.GetMeasurementSnapshot().EvaluateAsCounter());
        CollectedMeasurement<long> hit = hits.LastMeasurement!;
        Assert.Equal("exact", hit.Tags["llmrouting.cache.kind"]);
        Assert.Equal("economy", hit.Tags["llmrouting.target"]);
        Assert.Equal(2 * (double)((1000 * 0.15m + 500 * 0.60m) / 1_000_000m), saved.GetMeasurementSnapshot().EvaluateAsCounter(), 12);
    }

    [Fact]
    public async Task SemanticCache_RecordsSimilarityOfHits()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory, TestMeterFactory>();
        services.AddLlmRouter(r => r.AddTarget("economy", new TestChatClient("economy"), t => t.Prices(input: 0.15m, output: 0.60m)).Default("economy"))
            .UseSemanticCache();
        using ServiceProvider provider = services.BuildServiceProvider();
        IMeterFactory meters = provider.GetRequiredService<IMeterFactory>();
        using var similarity = new MetricCollector<double>(meters, "LlmRouting", "llmrouting.cache.similarity");
        using var misses = new MetricCollector<long>(meters, "LlmRouting", "llmrouting.cache.misses");
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync("What are your opening hours on Saturday?");
        await chat.GetResponseAsync("Your opening hours on Saturday?");

        Assert.Equal(1, misses.GetMeasurementSnapshot().EvaluateAsCounter());
        CollectedMeasurement<double> measurement = Assert.Single(similarity.GetMeasurementSnapshot());
        Assert.InRange(measurement.Value, 0.92, 1.0);
        Assert.Equal("semantic", measurement.Tags["llmrouting.cache.kind"]);
    }
}
