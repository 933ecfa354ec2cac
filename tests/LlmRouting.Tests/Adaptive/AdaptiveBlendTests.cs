using System.Text.Json.Nodes;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class AdaptiveBlendTests
{
    private const int Dimensions = 256;

    [Theory]
    [InlineData(1, "BlendFolds must be 0 (off) or in [2, 20] (was 1)")]
    [InlineData(21, "BlendFolds must be 0 (off) or in [2, 20] (was 21)")]
    [InlineData(-1, "BlendFolds must be 0 (off) or in [2, 20] (was -1)")]
    public void BlendFoldsOutOfRangeIsRejectedNamingTheField(int folds, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => AdaptiveTrainer.Train([], new AdaptiveTrainingOptions { BlendFolds = folds }));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1)]
    public void BlendToleranceOutOfRangeIsRejectedNamingTheField(double tolerance)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => AdaptiveTrainer.Train([], new AdaptiveTrainingOptions { BlendTolerance = tolerance }));
        Assert.Contains("BlendTolerance must be in [0, 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShiftScaleScalesTheRegionShiftInLogOddsAndZeroKeepsThePrior()
    {
        AdaptiveModel whole = Model(1), half = Model(0.5), none = Model(0);
        foreach (double d in new[] { 0.2, 0.5, 0.8 })
        {
            string text = "orbital speed of a comet near the sun";
            double prior = AdaptiveModel.Logit(whole.Prior(d));
            Assert.Equal((AdaptiveModel.Logit(whole.Score(text, d)) - prior) / 2, AdaptiveModel.Logit(half.Score(text, d)) - prior, 9);
            Assert.Equal(none.Prior(d), none.Score(text, d));
        }
    }

    [Fact]
    public void ModelFileKeepsTheShiftScaleAndOldFilesApplyTheWholeShift()
    {
        using var stream = new MemoryStream();
        AdaptiveModelFile.Save(Model(0.85), stream);
        Assert.Equal(0.85, AdaptiveModelFile.Load(new MemoryStream(stream.ToArray())).ShiftScale);

        JsonNode json = JsonNode.Parse(stream.ToArray())!;
        json["pooling"]!.AsObject().Remove("shiftScale");
        Assert.Equal(1, AdaptiveModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()))).ShiftScale);

        json["pooling"]!["shiftScale"] = 1.5;
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => AdaptiveModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()))));
        Assert.Contains("'pooling.shiftScale' must be in [0, 1] (was 1.5)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApgrFromLabelsIsTheAreaUnderTheRecoveredGainWithTiesMovingTogether()
    {
        double[] ones = [1, 1, 1];
        // Order 0, 1, 2: PGR 0.5, 0.5, 1 at shares 1/3, 2/3, 1 → 1/3 · (0.25 + 0.5 + 0.75) = 0.5.
        Assert.Equal(0.5, AdaptiveBlend.Apgr([0, 1, 2], i => 3 - i, [1, 0, 1], ones), 12);
        // The gains first: PGR 0.5, 1, 1 → 1/3 · (0.25 + 0.75 + 1) = 2/3.
        Assert.Equal(2.0 / 3, AdaptiveBlend.Apgr([0, 1, 2], i => 3 - i, [1, 1, 0], ones), 12);
        // The last two tied: one segment from (1/3, 0.5) to (1, 1) → 1/12 + 2/3 · 0.75 = 7/12.
        Assert.Equal(7.0 / 12, AdaptiveBlend.Apgr([0, 1, 2], i => i == 0 ? 1 : 0, [1, 1, 0], ones), 12);
        // All tied: one straight segment, the random router's 0.5 whatever the order.
        Assert.Equal(0.5, AdaptiveBlend.Apgr([0, 1, 2], _ => 1, [1, 0, 1], ones), 12);
        Assert.True(double.IsNaN(AdaptiveBlend.Apgr([0, 1], _ => 1, [1, -1], ones)));
    }

    [Fact]
    public void WithFewerGroupsThanFoldsTheWholeShiftApplies()
    {
        List<AdaptiveExample> examples = Examples(["orbital", "recipe"], perGroup: 12);
        AdaptiveModel model = AdaptiveTrainer.Train(examples, new AdaptiveTrainingOptions { Dimensions = Dimensions, GroupRegions = true, BlendFolds = 3 });
        Assert.Equal(1, model.ShiftScale);
    }

    [Fact]
    public void BlendIsChosenFromTheCandidatesOnTheTrainingDataAloneAndIsDeterministic()
    {
        List<AdaptiveExample> examples = Examples(["orbital", "recipe", "contract", "enzyme", "poetry", "circuit"], perGroup: 16);
        var options = new AdaptiveTrainingOptions { Dimensions = Dimensions, GroupRegions = true, BlendFolds = 3, DiscriminativeEpochs = 2 };
        AdaptiveModel first = AdaptiveTrainer.Train(examples, options), second = AdaptiveTrainer.Train(examples, options);
        Assert.Contains(first.ShiftScale, AdaptiveBlend.Candidates);
        Assert.Equal(first.ShiftScale, second.ShiftScale);
        Assert.Equal(first.Version, second.Version);
    }

    [Fact]
    public void ASmallerShareWinsWhenTheDefaultRanksTheInnerUnseenTopicsBetter()
    {
        // Twin topics share their words but need the premium tier in opposite ways, and the default score orders the
        // prompts within every topic: a topic held out on an inner fold borrows its twin's (wrong) shift, so a smaller
        // share ranks it better. Without the blend the whole shift applies.
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        var random = new Random(3);
        var examples = new List<AdaptiveExample>();
        string[] twins = ["orbital satellite", "recipe soup", "contract court", "enzyme protein"];
        foreach (string words in twins)
        {
            foreach (bool hard in new[] { true, false })
            {
                for (int i = 0; i < 30; i++)
                {
                    double d = random.NextDouble();
                    double need = d + (hard ? 0.15 : -0.15);
                    string text = $"{words} {(hard ? "first" : "second")} case {random.Next(40)}";
                    examples.Add(new AdaptiveExample(embedder.Embed(text), d, random.NextDouble() < need ? 1 : 0, Group: $"{words}-{hard}"));
                }
            }
        }

        var options = new AdaptiveTrainingOptions { Dimensions = Dimensions, GroupRegions = true, DiscriminativeEpochs = 2, BlendTolerance = 0.05 };
        Assert.Equal(1, AdaptiveTrainer.Train(examples, options).ShiftScale);
        options.BlendFolds = 4;
        Assert.True(AdaptiveTrainer.Train(examples, options).ShiftScale < 1);
    }

    private static AdaptiveModel Model(double shiftScale)
    {
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        float[] hard = embedder.Embed("orbital mechanics of a satellite"), easy = embedder.Embed("recipe for tomato soup");
        var parameters = new AdaptiveModelParameters("scaled", Dimensions, 0.5, 0.1, 1, 1, 0.02, 0, 0, null, new Dictionary<string, string>(), shiftScale);
        return new AdaptiveModel(parameters, [], [.. hard, .. easy], [new AdaptiveRegion(30, 9, 6, 4), new AdaptiveRegion(30, -6, 6, 4)]);
    }

    private static List<AdaptiveExample> Examples(string[] topics, int perGroup)
    {
        var embedder = new LocalEmbeddingGenerator(Dimensions);
        var random = new Random(7);
        var examples = new List<AdaptiveExample>();
        for (int g = 0; g < topics.Length; g++)
        {
            for (int i = 0; i < perGroup; i++)
            {
                string text = $"{topics[g]} question {i} about {topics[(g + 1) % topics.Length]} and item {random.Next(50)}";
                double need = g % 2 == 0 ? 0.75 : 0.25;
                examples.Add(new AdaptiveExample(embedder.Embed(text), random.NextDouble(), random.NextDouble() < need ? 1 : random.NextDouble() < 0.5 ? 0.5 : 0, Group: topics[g]));
            }
        }

        return examples;
    }
}
