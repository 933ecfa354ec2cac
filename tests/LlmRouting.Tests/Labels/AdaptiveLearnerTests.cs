using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Analysis;
using LlmRouting.Embeddings;
using LlmRouting.Learning;
using LlmRouting.Strategies;
using LlmRouting.Statistics;

namespace LlmRouting.Tests;

public class AdaptiveLearnerTests
{
    private const int Dimensions = 256;
    private static readonly string[] HardTopic = ["orbital mechanics of a satellite around jupiter", "orbital period of the moon and kepler laws", "orbital velocity of a spacecraft near mars"];
    private static readonly string[] EasyTopic = ["recipe for a simple tomato soup with basil", "recipe for pancakes with butter and syrup", "recipe for a green salad with lemon"];

    [Fact]
    public async Task OnlineLabels_MoveTheirRegion_AndTheModelIsSwappedUnderANewVersion()
    {
        var strategy = new AdaptiveRoutingStrategy(Train(hard: 0.5, easy: 0.5, "base"));
        var statistics = new InMemoryRoutingStatisticsStore();
        using var learner = new AdaptiveLearner(strategy, statistics, new InMemoryRoutingLabelStore(), new AdaptiveLearningOptions { RefreshEvery = 1000, RefreshInterval = TimeSpan.Zero });
        double hardBefore = strategy.Model.Score("orbital speed of a comet near the sun", 0.4);
        double easyBefore = strategy.Model.Score("recipe for a carrot cake with raisins", 0.4);

        for (int i = 0; i < 30; i++)
        {
            await learner.OnLabelAsync(Label(HardTopic[i % 3], 1), default);
            await learner.OnLabelAsync(Label(EasyTopic[i % 3], 0), default);
        }

        await learner.OnLabelAsync(Label("no premium-need value", null), default);
        AdaptiveModel updated = await learner.RefreshAsync();

        Assert.Same(updated, strategy.Model);
        Assert.Equal("base+60", updated.Version);
        Assert.True(updated.Score("orbital speed of a comet near the sun", 0.4) > hardBefore + 0.1, "the hard topic's estimate did not rise");
        Assert.True(updated.Score("recipe for a carrot cake with raisins", 0.4) < easyBefore - 0.1, "the easy topic's estimate did not fall");
        Assert.Equal(60, (await statistics.GetAsync(["adaptive:base:0:r", "adaptive:base:1:r"])).Values.Sum(s => s.Count));
    }

    [Fact]
    public async Task ALabelWhoseTaskNamesARegion_IsEvidenceAboutThatRegion_OthersGoToTheNearest()
    {
        var strategy = new AdaptiveRoutingStrategy(Train(hard: 0.5, easy: 0.5, "base"));
        var statistics = new InMemoryRoutingStatisticsStore();
        using var learner = new AdaptiveLearner(strategy, statistics, new InMemoryRoutingLabelStore(), new AdaptiveLearningOptions { RefreshEvery = 1000, RefreshInterval = TimeSpan.Zero });
        Assert.Equal(["easy", "hard"], strategy.Model.Groups);

        // The text is the hard topic's, the caller named the easy one: the evidence is the easy region's (0).
        await learner.OnLabelAsync(Label(HardTopic[0], 1) with { Task = "easy" }, default);
        await learner.OnLabelAsync(Label(HardTopic[1], 1) with { Task = "Easy" }, default);
        await learner.OnLabelAsync(Label(HardTopic[2], 1) with { Task = "astronomy" }, default);
        IReadOnlyDictionary<string, RoutingStatistic> totals = await statistics.GetAsync(["adaptive:base:0:r", "adaptive:base:1:r"]);
        Assert.Equal(2, totals["adaptive:base:0:r"].Count);
        Assert.Equal(1, totals["adaptive:base:1:r"].Count);
    }

    [Fact]
    public async Task TwoInstancesSharingAStatisticsStore_LearnFromEachOthersLabels()
    {
        var statistics = new InMemoryRoutingStatisticsStore();
        var options = new AdaptiveLearningOptions { RefreshEvery = 1000, RefreshInterval = TimeSpan.Zero };
        var a = new AdaptiveRoutingStrategy(Train(0.5, 0.5, "base"));
        var b = new AdaptiveRoutingStrategy(Train(0.5, 0.5, "base"));
        using var learnerA = new AdaptiveLearner(a, statistics, new InMemoryRoutingLabelStore(), options);
        using var learnerB = new AdaptiveLearner(b, statistics, new InMemoryRoutingLabelStore(), options);

        for (int i = 0; i < 30; i++)
        {
            await learnerA.OnLabelAsync(Label(HardTopic[i % 3], 1), default);
            await learnerA.OnLabelAsync(Label(EasyTopic[i % 3], 0), default);
        }

        await learnerB.RefreshAsync();

        Assert.Equal("base+60", b.ModelVersion);
        Assert.Equal("base", a.ModelVersion); // A has not refreshed yet: decisions keep the model they had
        Assert.Equal("base+60", (await learnerA.RefreshAsync()).Version);
        Assert.Equal(a.Model.Score("orbital speed of a comet", 0.4), b.Model.Score("orbital speed of a comet", 0.4), 12);
    }

    [Fact]
    public async Task Retraining_FromTheLabelStore_ReplacesAModelWithoutRegions()
    {
        var store = new InMemoryRoutingLabelStore();
        for (int i = 0; i < 40; i++)
        {
            await store.AddAsync(Label(HardTopic[i % 3], 1));
            await store.AddAsync(Label(EasyTopic[i % 3], 0));
        }

        var strategy = new AdaptiveRoutingStrategy();
        var options = new AdaptiveLearningOptions { RefreshInterval = TimeSpan.Zero, Training = new AdaptiveTrainingOptions { Dimensions = Dimensions, Regions = 2, MinLabelsPerRegion = 5, Version = "retrained" } };
        using var learner = new AdaptiveLearner(strategy, new InMemoryRoutingStatisticsStore(), store, options);

        AdaptiveModel model = await learner.RetrainAsync();

        Assert.Equal("retrained", strategy.ModelVersion);
        Assert.Same(model, learner.BaseModel);
        Assert.True(model.Score("orbital speed of a comet", 0.4) > model.Score("recipe for a carrot cake", 0.4));
    }

    [Fact]
    public async Task Retraining_ByDefault_MakesARegionOfEachTaskTheLabelsName_AndKMeansRegionsWhenTheyNameOnlyOne()
    {
        async Task<AdaptiveModel> Retrain(Func<int, string> hardTask, Func<int, string> easyTask)
        {
            var store = new InMemoryRoutingLabelStore();
            for (int i = 0; i < 40; i++)
            {
                await store.AddAsync(Label(HardTopic[i % 3], 1, hardTask(i)));
                await store.AddAsync(Label(EasyTopic[i % 3], 0, easyTask(i)));
            }

            var options = new AdaptiveLearningOptions { RefreshInterval = TimeSpan.Zero };
            options.Training.Dimensions = Dimensions;
            using var learner = new AdaptiveLearner(new AdaptiveRoutingStrategy(), new InMemoryRoutingStatisticsStore(), store, options);
            return await learner.RetrainAsync();
        }

        // The caller named each request's topic: one region per topic, and a request naming it takes that region.
        AdaptiveModel byTask = await Retrain(_ => "astronomy", _ => "baking");
        Assert.Equal(["astronomy", "baking"], byTask.Groups);
        Assert.True(byTask.Score("orbital speed of a comet", 0.4, "astronomy") > byTask.Score("orbital speed of a comet", 0.4, "baking"));

        // Every label with the same task (the analyzer's type when the caller names none) says nothing about where labels
        // differ: k-means regions, no task names; and so when some labels name no task the learner can group by.
        AdaptiveModel oneTask = await Retrain(_ => "chat", _ => "chat");
        Assert.Empty(oneTask.Groups);
        Assert.NotEmpty(oneTask.Regions);
        Assert.Equal(new AdaptiveTrainingOptions().Temperature, oneTask.Temperature); // k-means centroids pool in cosines, not refined logits
        Assert.Equal(1, byTask.Temperature);
        Assert.True(oneTask.Score("orbital speed of a comet", 0.4) > oneTask.Score("recipe for a carrot cake", 0.4));
    }

    [Fact]
    public async Task AModelSwappedUnderConcurrentLoad_IsSeenWholeByEveryDecision_AndItsVersionIsOnTheRoute()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddLlmRouter(r => r
            .AddTarget("economy", t => t.Tier(QualityTier.Economy))
            .AddTarget("premium", t => t.Tier(QualityTier.Premium))
            .Default("economy")
            .UseAdaptiveRouting());
        using ServiceProvider provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<LlmRouterChatClient>();
        AdaptiveRoutingStrategy strategy = provider.GetRequiredService<AdaptiveRoutingStrategy>();
        AdaptiveModel[] models = [Train(1, 0, "v-a"), Train(0, 1, "v-b")];
        using var stop = new CancellationTokenSource();
        int swaps = 0;

        Task swapper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                strategy.ReplaceModel(models[Interlocked.Increment(ref swaps) % 2]);
                Thread.Yield();
            }
        });
        RouteInfo[][] seen = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var routes = new List<RouteInfo>();
            // At least 300 decisions each, and on until this worker has decided under both models and the swapper has swapped
            // more than ten times: on a starved machine the swapper's thread may not run at all while a worker makes its first
            // 300 (a bounded wait keeps a broken swap from hanging the test; the assertions below then fail).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            bool sawA = false, sawB = false;
            for (int i = 0; i < 300 || ((!(sawA && sawB) || Volatile.Read(ref swaps) <= 10) && DateTime.UtcNow < deadline); i++)
            {
                string text = (i % 2 == 0 ? HardTopic : EasyTopic)[i % 3];
                RouteInfo route = await router.DecideAsync([new ChatMessage(ChatRole.User, text)]);
                routes.Add(route);
                sawA |= route.ModelVersion == "v-a";
                sawB |= route.ModelVersion == "v-b";
                if (i >= 300)
                {
                    await Task.Yield(); // let the swapper run
                }
            }

            return routes.ToArray();
        })));
        await stop.CancelAsync();
        await swapper;
        strategy.ReplaceModel(Train(0.5, 0.5, "v-final"));
        RouteInfo after = await router.DecideAsync([new ChatMessage(ChatRole.User, HardTopic[0])]);

        RouteInfo[] all = [.. seen.SelectMany(s => s)];
        Assert.True(swaps > 10, $"only {swaps} swaps happened during the load");
        Assert.All(all, route =>
        {
            Assert.Contains(route.ModelVersion, new[] { "v-a", "v-b", "empty" });
            Assert.Contains($"(model {route.ModelVersion})", route.Reason, StringComparison.Ordinal);
        });
        Assert.Contains(all, r => r.ModelVersion == "v-a");
        Assert.Contains(all, r => r.ModelVersion == "v-b");
        Assert.Equal("v-final", after.ModelVersion);
    }

    private static RoutingLabel Label(string text, double? premiumNeed, string task = "chat") =>
        new("r", DateTimeOffset.UnixEpoch, RoutingLabelSource.Audit, "economy", QualityTier.Economy, task, RequestAnalyzer.Default.AnalyzeText(text).PremiumNeed, premiumNeed, null, RoutingLabelFeatures.FromText(text, Dimensions), RoutingLabels.Fingerprint(text));

    private static AdaptiveModel Train(double hard, double easy, string version)
    {
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        var examples = new List<AdaptiveExample>();
        for (int i = 0; i < 30; i++)
        {
            string h = HardTopic[i % 3], e = EasyTopic[i % 3];
            examples.Add(new AdaptiveExample(embedder.Embed(h), RequestAnalyzer.Default.AnalyzeText(h).PremiumNeed, i % 2 == 0 ? hard : 0.5, Group: "hard"));
            examples.Add(new AdaptiveExample(embedder.Embed(e), RequestAnalyzer.Default.AnalyzeText(e).PremiumNeed, i % 2 == 0 ? easy : 0.5, Group: "easy"));
        }

        return AdaptiveTrainer.Train(examples, new AdaptiveTrainingOptions { Dimensions = Dimensions, Regions = 2, MinLabelsPerRegion = 1, GroupRegions = true, DiscriminativeEpochs = 2, Version = version });
    }
}
