using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using LlmRouting.Embeddings;
using LlmRouting.Learning;
using LlmRouting.Strategies;

namespace LlmRouting.Redis.IntegrationTests;

[Collection(RedisCollection.Name)]
public sealed class RedisLabelStoreTests : IDisposable
{
    private static readonly string[] HardTopic = ["orbital mechanics of a satellite around jupiter", "orbital period of the moon and kepler laws", "orbital velocity of a spacecraft near mars"];
    private static readonly string[] EasyTopic = ["recipe for a simple tomato soup with basil", "recipe for pancakes with butter and syrup", "recipe for a green salad with lemon"];

    private readonly RedisServerFixture _redis;
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";
    private readonly List<IDisposable> _disposables = [];

    public RedisLabelStoreTests(RedisServerFixture redis)
    {
        _redis = redis;
        _redis.Start();
    }

    public void Dispose()
    {
        foreach (IDisposable disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public async Task LabelsWrittenByOneInstance_AreReadByAnother_InOrder_FromACursor_WithoutText()
    {
        RedisRoutingLabelStore a = Store(), b = Store();
        for (int i = 0; i < 5; i++)
        {
            await a.AddAsync(Label($"route-{i}", HardTopic[i % 3], premiumNeed: i % 2));
        }

        RoutingLabelBatch first = await b.ReadAsync(null, 3);
        RoutingLabelBatch rest = await b.ReadAsync(first.Cursor, 10);
        RoutingLabelBatch none = await b.ReadAsync(rest.Cursor, 10);

        Assert.Equal(["route-0", "route-1", "route-2"], first.Labels.Select(l => l.RouteId));
        Assert.Equal(["route-3", "route-4"], rest.Labels.Select(l => l.RouteId));
        Assert.Empty(none.Labels);
        Assert.Equal(5, await b.CountAsync());
        RoutingLabel read = first.Labels[1];
        RoutingLabel written = Label("route-1", HardTopic[1], premiumNeed: 1);
        Assert.Equal((written.Source, written.Target, written.Tier, written.PremiumNeed, written.Fingerprint), (read.Source, read.Target, read.Tier, read.PremiumNeed, read.Fingerprint));
        Assert.Equal(written.Features.Indices, read.Features.Indices);
        Assert.Equal(written.Features.Values, read.Features.Values);
        Assert.Null(read.Text);

        string raw = (await Connection().GetDatabase().StreamRangeAsync(_prefix + "labels"))[0]["l"]!;
        Assert.DoesNotContain("orbital", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddLlmRoutingRedis_SharesLabels_AndTwoLearnersShareTheirEvidence()
    {
        (ServiceProvider one, AdaptiveLearner learnerOne, AdaptiveRoutingStrategy strategyOne) = Instance();
        (ServiceProvider two, AdaptiveLearner learnerTwo, AdaptiveRoutingStrategy strategyTwo) = Instance();
        using (one)
        using (two)
        {
            Assert.IsType<RedisRoutingLabelStore>(one.GetRequiredService<IRoutingLabelStore>());
            RoutingLabels labels = one.GetRequiredService<RoutingLabels>();
            for (int i = 0; i < 30; i++)
            {
                await labels.RecordAsync(Label($"h{i}", HardTopic[i % 3], 1));
                await labels.RecordAsync(Label($"e{i}", EasyTopic[i % 3], 0));
            }

            await learnerTwo.RefreshAsync();
            await learnerOne.RefreshAsync();

            Assert.Equal(60, await two.GetRequiredService<IRoutingLabelStore>().CountAsync());
            Assert.Equal("base+60", strategyTwo.ModelVersion);
            Assert.Equal(strategyOne.Model.Score("orbital speed of a comet", 0.4), strategyTwo.Model.Score("orbital speed of a comet", 0.4), 12);
            Assert.True(strategyTwo.Model.Score("orbital speed of a comet", 0.4) > strategyTwo.Model.Score("recipe for a carrot cake", 0.4));
        }
    }

    private (ServiceProvider Provider, AdaptiveLearner Learner, AdaptiveRoutingStrategy Strategy) Instance()
    {
        string path = Path.Combine(Path.GetTempPath(), $"adaptive-{Guid.NewGuid():N}.json");
        AdaptiveModelFile.Save(BaseModel(), path);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", new FakeProvider("economy"));
        services.AddKeyedChatClient("premium", new FakeProvider("premium"));
        services.AddLlmRouter(r => r
            .AddTarget("economy", t => t.Tier(QualityTier.Economy))
            .AddTarget("premium", t => t.Tier(QualityTier.Premium))
            .Default("economy")
            .UseAdaptiveRouting(o => o.ModelPath = path)
            .UseAdaptiveLearning(o => { o.RefreshEvery = 1000; o.RefreshInterval = TimeSpan.Zero; }));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o => o.KeyPrefix = _prefix);
        ServiceProvider provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IChatClient>();
        File.Delete(path);
        return (provider, provider.GetRequiredService<AdaptiveLearner>(), provider.GetRequiredService<AdaptiveRoutingStrategy>());
    }

    private static AdaptiveModel BaseModel()
    {
        var embedder = new LocalEmbeddingGenerator(4096);
        var examples = new List<AdaptiveExample>();
        for (int i = 0; i < 20; i++)
        {
            examples.Add(new AdaptiveExample(embedder.Embed(HardTopic[i % 3]), 0.4, 0.5, Group: "hard"));
            examples.Add(new AdaptiveExample(embedder.Embed(EasyTopic[i % 3]), 0.4, 0.5, Group: "easy"));
        }

        return AdaptiveTrainer.Train(examples, new AdaptiveTrainingOptions { GroupRegions = true, DiscriminativeEpochs = 2, MinLabelsPerRegion = 1, Version = "base" });
    }

    private static RoutingLabel Label(string id, string text, double premiumNeed) =>
        new(id, DateTimeOffset.UnixEpoch, RoutingLabelSource.Audit, "economy", QualityTier.Economy, "chat", 0.4, premiumNeed, 1 - premiumNeed, RoutingLabelFeatures.FromText(text, 4096), RoutingLabels.Fingerprint(text));

    private RedisRoutingLabelStore Store() => new(Connection(), new LlmRoutingRedisOptions { KeyPrefix = _prefix });

    private ConnectionMultiplexer Connection()
    {
        var connection = ConnectionMultiplexer.Connect(_redis.ConnectionString);
        _disposables.Add(connection);
        return connection;
    }
}
