using LlmRouting.Analysis;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class AdaptiveModelTests
{
    private const int Dimensions = 256;

    // Two synthetic topics: the economy model fails on every "orbital" question and passes every "recipe" one.
    private static readonly string[] HardTopic = ["orbital mechanics of a satellite around jupiter", "orbital period of the moon and kepler laws", "orbital velocity of a spacecraft near mars"];
    private static readonly string[] EasyTopic = ["recipe for a simple tomato soup with basil", "recipe for pancakes with butter and syrup", "recipe for a green salad with lemon"];

    [Fact]
    public void EmptyModelScoresExactlyTheDefaultScore()
    {
        foreach (string text in HardTopic.Concat(EasyTopic))
        {
            double prior = RequestAnalyzer.Default.AnalyzeText(text).PremiumNeed;
            Assert.Equal(prior, AdaptiveModel.Empty.Score(text, prior));
        }

        Assert.Equal(AdaptiveModel.Empty.Score("x", 0.3), AdaptiveTrainer.Train([], Options()).Score("x", 0.3), 12);
    }

    [Fact]
    public void LabelsMoveTheirRegionAndOrderTopicsByObservedNeed()
    {
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(40), Options());
        double hard = model.Score("orbital speed of a comet near the sun", 0.4);
        double easy = model.Score("recipe for a carrot cake with raisins", 0.4);
        Assert.True(hard > 0.6, $"hard {hard}");
        Assert.True(easy < 0.4, $"easy {easy}");
        Assert.Equal(2, model.Regions.Count);
        Assert.All(model.Regions, r => Assert.True(Math.Abs(r.Shift(model.Parameters.Tau2)) <= Math.Abs(r.RawShift) + 1e-12));
    }

    [Fact]
    public void RequestNearestARegionWithoutEvidenceScoresExactlyAsTheCalibratedDefault()
    {
        // Two regions, one with strong evidence ("orbital" needs premium), one with none ("recipe"). A request in the
        // unlabelled region keeps the calibrated prior exactly, so it ranks requests as the default score does
        // (the by-subject protocol's "must not unlearn the prior where it has no evidence"); the labelled one moves.
        AdaptiveModel model = HardRegionOnlyModel("no-evidence");

        double[] defaults = [0.1, 0.3, 0.5, 0.7, 0.9];
        double[] unlabelled = [.. defaults.Select(d => model.Score("recipe for a lemon cake with sugar", d))];
        for (int i = 0; i < defaults.Length; i++)
        {
            Assert.Equal(model.Prior(defaults[i]), unlabelled[i]);
            Assert.True(i == 0 || unlabelled[i] > unlabelled[i - 1], "the unlabelled region keeps the default's order");
        }

        Assert.True(model.Score("orbital speed of a comet near the sun", 0.5) > model.Prior(0.5) + 0.1);
    }

    [Fact]
    public void ALongText_IsEmbeddedByItsBeginningAndEnd_InDecisionsAndInLabels()
    {
        // A question about orbits (the region with evidence) around 10 KB of pasted recipes (the region without): embedded
        // whole it is a recipe and keeps the prior; by its window (the first and last 1 024 characters) it is the question.
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        AdaptiveModel model = HardRegionOnlyModel("window");
        string question = string.Concat(Enumerable.Repeat(HardTopic[0] + ". ", 30));
        string text = question + string.Concat(Enumerable.Repeat(EasyTopic[0] + ". ", 250)) + question;
        Assert.True(EmbeddedWindow.TryCut(text, AdaptiveModel.MaxEmbeddedCharacters, out int headEnd, out int tailStart));
        char[] window = new char[headEnd + 1 + text.Length - tailStart];
        string windowText = new(window, 0, EmbeddedWindow.Write(text, headEnd, tailStart, window));

        Assert.Equal(model.Score(windowText, 0.5), model.Score(text, 0.5));
        Assert.True(model.Score(text, 0.5) > model.Prior(0.5) + 0.1, "the window is the orbital question");
        Assert.Equal(model.Prior(0.5), model.Score(embedder.Embed(text), 0.5));

        // Labels record the same window's features, so a model retrained from them sees the text as it was routed.
        Learning.RoutingLabelFeatures features = Learning.RoutingLabelFeatures.FromText(text, Dimensions);
        Learning.RoutingLabelFeatures expected = Learning.RoutingLabelFeatures.FromText(windowText, Dimensions);
        Assert.Equal(expected.Indices, features.Indices);
        Assert.Equal(expected.Values, features.Values);
        Assert.NotEqual(Learning.RoutingLabelFeatures.FromDense(embedder.Embed(text)).Values, features.Values);

        // A text that fits the window is embedded whole.
        Assert.Equal(model.Score(embedder.Embed(question), 0.5), model.Score(question, 0.5));
    }

    [Fact]
    public void ATaskTheLabelsNeverNamed_KeepsTheCalibratedPrior_AKnownTaskTakesItsRegion_NoneBorrowsTheShift()
    {
        // The caller names the request's topic. "astronomy" is no group of the model: its requests keep the calibrated
        // prior (ranked exactly as the default score ranks them), although their text is nearest the "hard" region.
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(40), Options());
        Assert.Equal(["easy", "hard"], model.Groups);
        const string Text = "orbital speed of a comet near the sun";
        double[] defaults = [0.1, 0.3, 0.5, 0.7, 0.9];
        for (int i = 0; i < defaults.Length; i++)
        {
            double unknown = model.Score(Text, defaults[i], "astronomy");
            Assert.Equal(model.Prior(defaults[i]), unknown);
            Assert.True(i == 0 || unknown > model.Score(Text, defaults[i - 1], "astronomy"), "an unknown task keeps the default's order");
            Assert.Equal(model.ScoreInRegion(model.RegionOfTask("hard"), defaults[i]), model.Score(Text, defaults[i], "hard"));
            Assert.Equal(model.Score(Text, defaults[i]), model.Score(Text, defaults[i], task: null));
        }

        Assert.True(model.Score(Text, 0.5) > model.Prior(0.5) + 0.1, "the known region's shift applies");
        Assert.True(model.IsUnknownTask("astronomy"));
        Assert.False(model.IsUnknownTask("hard"));
        Assert.Equal(1, model.RegionOfTask("  HARD "));
        Assert.Equal(model.Score(Text, 0.5, "hard"), model.Score(Text, 0.5, "  HARD "));
        Assert.Equal(-1, model.RegionOfTask("astronomy"));
    }

    [Fact]
    public void AKnownTask_TakesItsRegionsShiftAlone_WhateverTheText()
    {
        // The text is nearest the "easy" region; the caller says it is "hard": the hard region's shift applies, and only it.
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(40), Options());
        const string Easy = "recipe for a carrot cake with raisins";
        int hard = model.RegionOfTask("hard");
        double shift = model.Regions[hard].Shift(model.Parameters.Tau2);
        Assert.True(shift > 0, $"the hard region's shift {shift}");
        foreach (double d in new[] { 0.1, 0.4, 0.8 })
        {
            double named = model.Score(Easy, d, "hard");
            Assert.Equal(1 / (1 + Math.Exp(-(model.PriorLogit(d) + (model.ShiftScale * shift)))), named, 12);
            Assert.True(named > model.Score(Easy, d), $"{named} > {model.Score(Easy, d)}");
            Assert.True(model.Score(Easy, d, "easy") < model.Prior(d), "the easy region's shift lowers it");
        }
    }

    [Fact]
    public void AModelOfKMeansRegions_HasNoGroups_AndIgnoresTheTask()
    {
        AdaptiveTrainingOptions options = Options();
        options.GroupRegions = false;
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(40), options);
        Assert.Empty(model.Groups);
        Assert.False(model.IsUnknownTask("astronomy"));
        Assert.Equal(model.Score("orbital speed of a comet", 0.4), model.Score("orbital speed of a comet", 0.4, "astronomy"));
    }

    [Fact]
    public void GroupsRoundTripThroughTheModelFile_AndAWrongCountIsRejectedNamingTheField()
    {
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(20), Options(version: "v-groups"));
        using var stream = new MemoryStream();
        AdaptiveModelFile.Save(model, stream);
        AdaptiveModel loaded = AdaptiveModelFile.Load(new MemoryStream(stream.ToArray()));
        Assert.Equal(model.Groups, loaded.Groups);
        Assert.Equal(model.Score("orbital velocity", 0.5, "astronomy"), loaded.Score("orbital velocity", 0.5, "astronomy"));

        string json = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Replace("\"groups\": [", "\"groups\": [\"extra\",", StringComparison.Ordinal);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => AdaptiveModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))));
        Assert.Contains("'groups' must hold one name per region (2, holds 3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGroupsNamesArePartOfTheDerivedVersion()
    {
        List<AdaptiveExample> renamed = [.. Examples(20).Select(e => e with { Group = e.Group == "hard" ? "hard-topic" : "easy-topic" })];
        AdaptiveModel a = AdaptiveTrainer.Train(Examples(20), Options()), b = AdaptiveTrainer.Train(renamed, Options());
        Assert.Equal(a.Score("orbital velocity", 0.5), b.Score("orbital velocity", 0.5), 12);
        Assert.NotEqual(a.Version, b.Version);
    }

    [Fact]
    public async Task Strategy_KeepsThePriorForATaskTheModelNeverLearnt_SaysSo_AndTheOptionTurnsItOff()
    {
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(40), Options(version: "v-task"));
        RouteCandidates candidates = RouteCandidates.All(Targets.Registry());
        var options = new AdaptiveRoutingOptions { Threshold = 0.5, PremiumTarget = "premium", EconomyTarget = "economy" };
        var strategy = new AdaptiveRoutingStrategy(model, options);
        RoutingRequest Request(string? task) => new(
            "orbital speed of a comet near the sun",
            task is null ? null : new Microsoft.Extensions.AI.ChatOptions { AdditionalProperties = new() { ["task"] = task } });

        RouteDecision known = (await strategy.DecideAsync(Request("hard"), candidates, default))!;
        RouteDecision unknown = (await strategy.DecideAsync(Request("astronomy"), candidates, default))!;
        RouteDecision none = (await strategy.DecideAsync(Request(null), candidates, default))!;
        Assert.Equal("premium", known.Primary.Name);
        Assert.Equal(model.ScoreInRegion(model.RegionOfTask("hard"), Request("hard").Analysis.PremiumNeed), known.Score);
        Assert.Equal(known.Score, strategy.Score(Request("hard")));
        Assert.NotEqual(known.Score, none.Score);
        RoutingRequest astronomy = Request("astronomy");
        Assert.Equal(model.Prior(astronomy.Analysis.PremiumNeed), unknown.Score);
        Assert.Equal(unknown.Score, strategy.Score(astronomy));
        Assert.Contains("(model v-task; a task the labels never named: calibrated prior)", unknown.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("astronomy", unknown.Reason, StringComparison.Ordinal);
        Assert.Contains("(model v-task; the task's region)", known.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("hard", known.Reason, StringComparison.Ordinal);
        Assert.Contains("(model v-task)", none.Reason, StringComparison.Ordinal);

        options.KeepPriorForUnknownTasks = false;
        var borrowing = new AdaptiveRoutingStrategy(model, options);
        Assert.Equal(none.Score, (await borrowing.DecideAsync(Request("astronomy"), candidates, default))!.Score);
        Assert.Equal(known.Score, (await borrowing.DecideAsync(Request("hard"), candidates, default))!.Score);

        options.UseTaskRegion = false;
        var textOnly = new AdaptiveRoutingStrategy(model, options);
        RouteDecision knownByText = (await textOnly.DecideAsync(Request("hard"), candidates, default))!;
        Assert.Equal(none.Score, knownByText.Score);
        Assert.Equal(none.Reason, knownByText.Reason);
    }

    [Fact]
    public void FewLabelsAreShrunkTowardThePrior()
    {
        AdaptiveModel few = AdaptiveTrainer.Train(Examples(2), Options());
        AdaptiveModel many = AdaptiveTrainer.Train(Examples(60), Options());
        double fewShift = Math.Abs(few.Score("orbital speed of a comet", 0.4) - 0.4);
        double manyShift = Math.Abs(many.Score("orbital speed of a comet", 0.4) - 0.4);
        Assert.True(fewShift < manyShift, $"few {fewShift}, many {manyShift}");
    }

    [Fact]
    public void ModelFileRoundTripsScoresAndVersion()
    {
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(20), Options(version: "v-test-1"));
        using var stream = new MemoryStream();
        AdaptiveModelFile.Save(model, stream);
        stream.Position = 0;
        AdaptiveModel loaded = AdaptiveModelFile.Load(stream);
        Assert.Equal("v-test-1", loaded.Version);
        Assert.Equal(model.Score("orbital velocity", 0.5), loaded.Score("orbital velocity", 0.5), 12);
        Assert.Equal(model.Score("recipe for soup", 0.2), loaded.Score("recipe for soup", 0.2), 12);
    }

    [Fact]
    public void ModelFileRecordsTheEmbeddingWindow_AnotherWindowIsRejected_AndAFileWithoutItReadsAsThisBuilds()
    {
        AdaptiveModel model = AdaptiveTrainer.Train(Examples(20), Options(version: "v-window"));
        using var stream = new MemoryStream();
        AdaptiveModelFile.Save(model, stream);
        string json = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        using (var document = System.Text.Json.JsonDocument.Parse(json))
        {
            Assert.Equal(AdaptiveModel.MaxEmbeddedCharacters, document.RootElement.GetProperty("embedding").GetProperty("maxCharacters").GetInt32());
        }

        string field = $"\"maxCharacters\": {AdaptiveModel.MaxEmbeddedCharacters}";
        Assert.Contains(field, json, StringComparison.Ordinal);
        static AdaptiveModel Load(string text) => AdaptiveModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Load(json.Replace(field, "\"maxCharacters\": 512", StringComparison.Ordinal)));
        Assert.Contains($"'embedding.maxCharacters' is 512; this build embeds a long text by its first and last {AdaptiveModel.MaxEmbeddedCharacters / 2} characters", e.Message, StringComparison.Ordinal);

        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        Assert.True(node["embedding"]!.AsObject().Remove("maxCharacters"));
        AdaptiveModel older = Load(node.ToJsonString());
        string longText = string.Concat(Enumerable.Repeat("orbital velocity of a comet near the sun ", 100));
        Assert.Equal(model.Score(longText, 0.5), older.Score(longText, 0.5), 12);
    }

    [Fact]
    public void ModelFileOfAnotherVersionIsRejectedNamingTheField()
    {
        using var stream = new MemoryStream("""{"format":"llmrouting-adaptive","version":99}"""u8.ToArray());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => AdaptiveModelFile.Load(stream));
        Assert.Contains("'version' is 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadExamplesAndOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => AdaptiveTrainer.Train([new AdaptiveExample(new float[8], 0.5, 1)], Options()));
        Assert.Throws<ArgumentException>(() => AdaptiveTrainer.Train([new AdaptiveExample(new float[Dimensions], 0.5, 2)], Options()));
        ArgumentException e = Assert.Throws<ArgumentException>(() => AdaptiveTrainer.Train([], new AdaptiveTrainingOptions { Regions = 0 }));
        Assert.Contains("Regions must be in [1, 4096] (was 0)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrategyStartsAtTheDefaultAndSwapsModelsAtomically()
    {
        var strategy = new AdaptiveRoutingStrategy(options: new AdaptiveRoutingOptions { Threshold = 0.5, PremiumTarget = "premium", EconomyTarget = "economy" });
        RouteCandidates candidates = RouteCandidates.All(Targets.Registry());
        var request = new RoutingRequest("orbital period of a moon around saturn");
        Assert.Equal(request.Analysis.PremiumNeed, strategy.Score(request));
        Assert.Equal("economy", (await strategy.DecideAsync(request, candidates, default))!.Primary.Name);

        AdaptiveModel trained = AdaptiveTrainer.Train(Examples(40), Options(version: "v2"));
        Assert.Same(AdaptiveModel.Empty, strategy.ReplaceModel(trained));
        RouteDecision decision = (await strategy.DecideAsync(request, candidates, default))!;
        Assert.Equal("premium", decision.Primary.Name);
        Assert.Contains("model v2", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("saturn", decision.Reason, StringComparison.Ordinal);
    }

    private static AdaptiveTrainingOptions Options(string? version = null) => new()
    {
        Dimensions = Dimensions,
        Regions = 2,
        MinLabelsPerRegion = 1,
        GroupRegions = true,
        DiscriminativeEpochs = 2,
        Version = version,
    };

    /// <summary>Two regions at the topics' mean embeddings: the hard one with strong evidence that premium is needed, the easy one with none.</summary>
    private static AdaptiveModel HardRegionOnlyModel(string version)
    {
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        float[] centroids = [.. Mean(embedder, HardTopic), .. Mean(embedder, EasyTopic)];
        var parameters = new AdaptiveModelParameters(version, Dimensions, 0.5, 0.2, 1, 1, 0.02, 0, 0, null, new Dictionary<string, string>());
        return new AdaptiveModel(parameters, [], centroids, [new AdaptiveRegion(30, 9, 6, 4), default]);
    }

    private static float[] Mean(LocalEmbeddingGenerator embedder, string[] texts)
    {
        float[] sum = new float[Dimensions];
        foreach (string text in texts)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum, embedder.Embed(text), sum);
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(sum, System.Numerics.Tensors.TensorPrimitives.Norm(sum), sum);
        return sum;
    }

    private static List<AdaptiveExample> Examples(int perTopic)
    {
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        var examples = new List<AdaptiveExample>();
        for (int i = 0; i < perTopic; i++)
        {
            string hard = HardTopic[i % HardTopic.Length], easy = EasyTopic[i % EasyTopic.Length];
            examples.Add(new AdaptiveExample(embedder.Embed(hard), RequestAnalyzer.Default.AnalyzeText(hard).PremiumNeed, 1, Group: "hard"));
            examples.Add(new AdaptiveExample(embedder.Embed(easy), RequestAnalyzer.Default.AnalyzeText(easy).PremiumNeed, 0, Group: "easy"));
        }

        return examples;
    }
}
