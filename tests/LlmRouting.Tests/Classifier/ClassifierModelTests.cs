using System.Text.Json.Nodes;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class ClassifierModelTests
{
    [Fact]
    public void Trainer_LearnsSeparablePrompts()
    {
        ClassifierModel model = ClassifierTestModels.ToyModel;
        Assert.True(model.Score("please prove the theorem about primes") > 0.8);
        Assert.True(model.Score("hello there, how are you") < 0.2);
        Assert.Contains("l2", model.Training.Keys);
    }

    [Fact]
    public void Trainer_IsDeterministicForASeed()
    {
        var options = new ClassifierTrainingOptions { HashBits = 12, Epochs = 5, Seed = 3 };
        string a = ClassifierTestModels.ToJson(ClassifierTrainer.Train(ClassifierTestModels.Examples(), options));
        string b = ClassifierTestModels.ToJson(ClassifierTrainer.Train(ClassifierTestModels.Examples(), options));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Trainer_CanLeaveTheAnalyzerFeaturesOut_AndTheModelRecordsIt()
    {
        var options = new ClassifierTrainingOptions { HashBits = 12, Epochs = 3, IncludeRequestAnalysis = false, CharNGramMin = 0, CharNGramMax = 0 };
        ClassifierModel model = ClassifierTrainer.Train(ClassifierTestModels.Examples(), options);
        Assert.Equal("hashed-ngrams-v1(bits=12,char=0-0)+text-stats-v1", model.FeatureSet);
        Assert.Equal(model.Score("prove it"), ClassifierTestModels.FromJson(ClassifierTestModels.ToJson(model)).Score("prove it"), 6);
    }

    [Fact]
    public void Trainer_RejectsASingleLabel()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ClassifierTrainer.Train([new("a", false), new("b", false)]));
        Assert.Contains("both labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveAndLoad_RoundTripsScores()
    {
        ClassifierModel model = ClassifierTestModels.ToyModel;
        ClassifierModel loaded = ClassifierTestModels.FromJson(ClassifierTestModels.ToJson(model));
        foreach (string text in new[] { "prove it", "hello", string.Empty, "derive the eigenvalues of a 3x3 matrix" })
        {
            Assert.Equal(model.Score(text), loaded.Score(text), 6);
        }

        Assert.Equal(model.FeatureSet, loaded.FeatureSet);
    }

    [Fact]
    public void DefaultModel_LoadsFromTheEmbeddedResourceAndScoresInRange()
    {
        ClassifierModel model = ClassifierModel.Default;
        Assert.Same(model, ClassifierModel.Default);
        double score = model.Score("What is the capital of France?\nA. Paris\nB. Rome\nC. Berlin\nD. Madrid\nAnswer:");
        Assert.InRange(score, 0, 1);
        Assert.Contains("request-analysis", model.FeatureSet, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_HandlesLargeAndUnusualText()
    {
        ClassifierModel model = ClassifierModel.Default;
        Assert.InRange(model.Score(new string('x', 1_000_000)), 0, 1);
        Assert.InRange(model.Score("   \n\t "), 0, 1);
        Assert.InRange(model.Score("数学の問題を解いてください。∫x²dx"), 0, 1);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "root must be a JSON object")]
    [InlineData("{\"version\": 1}", "'format' is missing")]
    public void Load_RejectsMalformedFiles(string json, string expected)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierTestModels.FromJson(json));
        Assert.StartsWith("Invalid classifier model: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message.Replace("the required property 'format' is missing", "'format' is missing", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsAnotherVersion()
    {
        JsonNode node = Parse();
        node["version"] = 2;
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierTestModels.FromJson(node.ToJsonString()));
        Assert.Contains("'version' is 2; this build reads version 1 only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsAnotherFormat()
    {
        JsonNode node = Parse();
        node["format"] = "something-else";
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierTestModels.FromJson(node.ToJsonString()));
        Assert.Contains("'format' is 'something-else'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsAModelTrainedOnAnotherFeatureSet()
    {
        JsonNode node = Parse();
        foreach (JsonNode? feature in node["features"]!["numeric"]!.AsArray())
        {
            feature!["set"] = "text-stats-v9";
        }

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierTestModels.FromJson(node.ToJsonString()));
        Assert.Contains("numeric feature set 'text-stats-v9' is not computed by this build", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsNumericFeaturesThatDoNotMatchTheirSet()
    {
        JsonNode node = Parse();
        node["features"]!["numeric"]!.AsArray().RemoveAt(0);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierTestModels.FromJson(node.ToJsonString()));
        Assert.Contains("do not match the set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsWeightsOfTheWrongLength()
    {
        JsonNode node = Parse();
        node["weights"] = Convert.ToBase64String(new byte[16]);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierTestModels.FromJson(node.ToJsonString()));
        Assert.Contains("'weights' holds 4 floats; 'bits' = 12 needs 4096", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FromPath_NamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmrouting-bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"format\": \"llmrouting-classifier\", \"version\": 7}");
        try
        {
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Load(path));
            Assert.StartsWith($"Invalid classifier model file '{path}': 'version' is 7", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        FileNotFoundException missing = Assert.Throws<FileNotFoundException>(() => ClassifierModel.Load(path));
        Assert.Contains(path, missing.Message, StringComparison.Ordinal);
    }

    private static JsonNode Parse() => JsonNode.Parse(ClassifierTestModels.ToJson(ClassifierTestModels.ToyModel))!;
}
