using System.CommandLine;
using System.Text.Json;
using System.Xml.Linq;
using LlmRouting.Cli.Commands;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Tests;

public class ConfiguredEvaluationTests
{
    private const string Strong = SyntheticData.Strong;
    private const string Weak = SyntheticData.Weak;

    private const string TwoTargets = """
        "Targets": [
          { "Name": "premium", "InputPricePerMillion": 0, "OutputPricePerMillion": 30, "Tier": "Premium" },
          { "Name": "economy", "InputPricePerMillion": 0, "OutputPricePerMillion": 0.6, "Tier": "Economy" }
        ]
        """;

    [Fact]
    public void RulesConfiguration_GivesTheHandComputedOperatingPoint()
    {
        using var folder = new TempFolder();

        // weak: 0 1 0 0 (0.25), strong: 1 1 0 1 (0.75). The rule sends the two "hard" prompts to premium:
        // served outcomes 1 (premium) + 1 (economy) + 0 (premium) + 0 (economy) = quality 0.5, PGR (0.5 − 0.25) / 0.5 = 0.5.
        string data = folder.Write("four.csv", $"prompt,{Weak},{Strong}\nhard question alpha,False,True\neasy question beta,True,True\nhard question gamma,False,False\neasy question delta,False,True\n");
        string config = folder.Write("appsettings.json", $$"""
            { "LlmRouting": { "Default": "economy", "Baseline": "premium", {{TwoTargets}},
              "Rules": [ { "Name": "hard", "Target": "premium", "ContainsAny": [ "hard" ] } ] } }
            """);
        var stdout = new StringWriter();
        int exit = Invoke(stdout, new StringWriter(), ["eval", "--data", data, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--output-tokens", "1000", "--bootstrap", "0", "--out", folder.Path]);
        Assert.Equal(0, exit);

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        JsonElement point = summary.RootElement.GetProperty("operating_point");
        Assert.Equal(0.5, point.GetProperty("premium_share").GetDouble(), 9);
        Assert.Equal(0.5, point.GetProperty("quality").GetDouble(), 9);
        Assert.Equal(0.5, point.GetProperty("pgr").GetDouble(), 9);

        // 1 000 output tokens a call: premium 0.03, economy 0.0006; all four to the baseline (premium) 0.12.
        Assert.Equal(0.0612m, point.GetProperty("cost").GetDecimal());
        Assert.Equal(0.12m, point.GetProperty("baseline_cost").GetDecimal());
        Assert.Equal(0.49, point.GetProperty("savings").GetDouble(), 9);
        Assert.Equal("premium", point.GetProperty("baseline").GetString());
        Assert.Equal(0.5, point.GetProperty("target_shares").GetProperty("economy").GetDouble(), 9);
        Assert.Equal(2, point.GetProperty("decided_by").GetProperty("rules").GetInt32());
        Assert.Equal(2, point.GetProperty("decided_by").GetProperty("default").GetInt32());
        Assert.Equal("rules", point.GetProperty("deciding_stage").GetString());
        Assert.False(point.TryGetProperty("threshold", out _), "rules have no threshold");

        // No threshold to sweep: the curve is the operating point's own, and it passes through it.
        Assert.Equal(0.5, summary.RootElement.GetProperty("points")[50].GetProperty("quality").GetDouble(), 9);
        Assert.Contains("no threshold to sweep", stdout.ToString(), StringComparison.Ordinal);

        XDocument svg = XDocument.Load(Path.Combine(folder.Path, "curve.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Single(svg.Descendants(ns + "circle"));
        Assert.Contains("operating point: 50.0% premium, PGR 0.500, savings 49.0%", string.Concat(svg.Descendants(ns + "text").Select(t => t.Value)), StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifierConfiguration_RoutesByThePremiumNeedScoreAndSweepsItsThreshold()
    {
        using var folder = new TempFolder();
        string config = folder.Write("appsettings.json", $$"""{ "LlmRouting": { "Default": "economy", "Strategies": [ "classifier" ], {{TwoTargets}} } }""");
        string[] files = [Path.Combine(SyntheticData.Mmlu, "mmlu_anatomy.csv"), Path.Combine(SyntheticData.Mmlu, "mmlu_astronomy.csv")];
        int exit = Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", .. files, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--bootstrap", "0", "--out", folder.Path]);
        Assert.Equal(0, exit);

        // The same share by hand: prompts whose premium-need score reaches the default threshold.
        string[] prompts = [.. Data.LabelledDataset.Load(files, Strong, Weak).Prompts.Select(p => p.Prompt)];
        double expected = prompts.Count(p => new RoutingRequest(p).Analysis.PremiumNeed >= ClassifierOptions.DefaultThreshold) / (double)prompts.Length;

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        JsonElement point = summary.RootElement.GetProperty("operating_point");
        Assert.Equal(expected, point.GetProperty("premium_share").GetDouble(), 6);
        Assert.Equal("classifier", point.GetProperty("deciding_stage").GetString());
        Assert.Equal(ClassifierOptions.DefaultThreshold, point.GetProperty("threshold").GetDouble());
        Assert.Equal("configured router (classifier sweep)", summary.RootElement.GetProperty("router").GetString());
    }

    [Fact]
    public void AdaptiveConfiguration_RoutesByItsModelFileAndSweepsItsThreshold()
    {
        using var folder = new TempFolder();
        string[] files = [Path.Combine(SyntheticData.Mmlu, "mmlu_anatomy.csv"), Path.Combine(SyntheticData.Mmlu, "mmlu_astronomy.csv")];
        string model = Path.Combine(folder.Path, "adaptive.json");
        var trainOutput = new StringWriter();
        Assert.Equal(0, Invoke(trainOutput, new StringWriter(), ["train", "--router", "adaptive", "--data", .. files, "--strong", Strong, "--weak", Weak, "--holdout", "0", "--out", model]));
        Assert.Contains("any other task keeps the calibrated prior): mmlu_anatomy, mmlu_astronomy.", trainOutput.ToString(), StringComparison.Ordinal);

        // The threshold the configuration sets: the trained model's median score over these prompts, so about half go premium.
        AdaptiveModel trained = AdaptiveModelFile.Load(model);
        string[] prompts = [.. Data.LabelledDataset.Load(files, Strong, Weak).Prompts.Select(p => p.Prompt)];
        double[] scores = [.. prompts.Select(p => trained.Score(p, new RoutingRequest(p).Analysis.PremiumNeed)).Order()];
        double threshold = Math.Round(scores[scores.Length / 2], 6);
        string config = folder.Write("appsettings.json", $$"""{ "LlmRouting": { "Default": "economy", "Strategies": [ "adaptive" ], "Adaptive": { "ModelPath": "{{model.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "Threshold": {{threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}} }, {{TwoTargets}} } }""");
        int exit = Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", .. files, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--bootstrap", "0", "--out", Path.Combine(folder.Path, "out")]);
        Assert.Equal(0, exit);

        // The same share by hand: prompts whose adaptive score under the trained model reaches the configured threshold.
        double expected = scores.Count(s => s >= threshold) / (double)scores.Length;
        Assert.InRange(expected, 0.3, 0.7);

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "out", "summary.json")));
        JsonElement point = summary.RootElement.GetProperty("operating_point");
        Assert.Equal(expected, point.GetProperty("premium_share").GetDouble(), 6);
        Assert.Equal("adaptive", point.GetProperty("deciding_stage").GetString());
        Assert.Equal(threshold, point.GetProperty("threshold").GetDouble());
        Assert.Equal("configured router (adaptive sweep)", summary.RootElement.GetProperty("router").GetString());
    }

    [Fact]
    public void AdaptiveConfiguration_WithTheTaskFromTheGroup_RoutesAndSweepsEachPromptByItsGroupsRegion()
    {
        using var folder = new TempFolder();
        string[] files = [Path.Combine(SyntheticData.Mmlu, "mmlu_anatomy.csv"), Path.Combine(SyntheticData.Mmlu, "mmlu_astronomy.csv")];
        string model = Path.Combine(folder.Path, "adaptive.json");
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), ["train", "--router", "adaptive", "--data", .. files, "--strong", Strong, "--weak", Weak, "--holdout", "0", "--out", model]));

        // Each prompt sent with its file's name as the task: the score of its group's region, by hand.
        AdaptiveModel trained = AdaptiveModelFile.Load(model);
        List<Data.LabelledPrompt> prompts = [.. Data.LabelledDataset.Load(files, Strong, Weak).Prompts];
        double[] byTask = [.. prompts.Select(p => trained.Score(p.Prompt, new RoutingRequest(p.Prompt).Analysis.PremiumNeed, p.Group))];
        double threshold = Math.Round(byTask.Order().ElementAt(byTask.Length / 2), 6);
        string config = folder.Write("appsettings.json", $$"""{ "LlmRouting": { "Default": "economy", "Strategies": [ "adaptive" ], "Adaptive": { "ModelPath": "{{model.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "Threshold": {{threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}} }, {{TwoTargets}} } }""");
        string[] common = ["eval", "--data", .. files, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--bootstrap", "0"];
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--task", "group", "--out", Path.Combine(folder.Path, "task")]));

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "task", "summary.json")));
        Assert.Equal(byTask.Count(s => s >= threshold) / (double)byTask.Length, summary.RootElement.GetProperty("operating_point").GetProperty("premium_share").GetDouble(), 6);
        double[] swept = [.. File.ReadAllLines(Path.Combine(folder.Path, "task", "scores.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(byTask.Length, swept.Length);
        for (int i = 0; i < swept.Length; i++)
        {
            Assert.Equal(byTask[i], swept[i], 6);
        }

        // From the text alone the scores are the nearest regions' instead.
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--out", Path.Combine(folder.Path, "text")]));
        Assert.NotEqual(File.ReadAllText(Path.Combine(folder.Path, "text", "scores.csv")), File.ReadAllText(Path.Combine(folder.Path, "task", "scores.csv")));
    }

    [Fact]
    public void CostAwareConfiguration_RecoversMoreOfTheGapThanItsShareOfPremiumCalls()
    {
        using var folder = new TempFolder();
        string config = folder.Write("appsettings.json", $$"""{ "LlmRouting": { "Default": "economy", "Strategies": [ "cost-aware" ], {{TwoTargets}} } }""");
        int exit = Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", SyntheticData.Mmlu, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--bootstrap", "0", "--out", folder.Path]);
        Assert.Equal(0, exit);

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        JsonElement point = summary.RootElement.GetProperty("operating_point");
        double share = point.GetProperty("premium_share").GetDouble();
        Assert.InRange(share, 0.05, 0.95);
        Assert.True(point.GetProperty("pgr").GetDouble() >= share + 0.10, $"PGR {point.GetProperty("pgr").GetDouble()} at a premium share of {share}");
        Assert.Equal("cost-aware", point.GetProperty("deciding_stage").GetString());
        Assert.True(point.GetProperty("savings").GetDouble() > 0);
    }

    [Fact]
    public void DefaultRouter_FindsTheKnownSignalOfTheSyntheticData()
    {
        using var folder = new TempFolder();
        var stdout = new StringWriter();
        Assert.Equal(0, Invoke(stdout, new StringWriter(), ["eval", "--data", SyntheticData.Mmlu, "--strong", Strong, "--weak", Weak, "--bootstrap", "0", "--folds", "3", "--out", folder.Path]));
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        Assert.Equal("default (premium-need score)", summary.RootElement.GetProperty("router").GetString());
        Assert.True(summary.RootElement.GetProperty("apgr").GetDouble() > 0.6);

        // Per-fold figures: every fold on its own, and the worst one printed.
        JsonElement[] folds = [.. summary.RootElement.GetProperty("folds").EnumerateArray()];
        Assert.Equal(3, folds.Length);
        Assert.Equal(387, folds.Sum(f => f.GetProperty("prompts").GetInt32()));
        Assert.All(folds, f => Assert.True(f.GetProperty("apgr").GetDouble() > 0.5));
        Assert.Contains("worst fold APGR ", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--target gold={strong} --target premium={strong} --target economy={weak}", "error: --target 'gold' is not a target of '{config}' (targets: premium, economy).")]
    [InlineData("--target premium=gpt-5 --target economy={weak}", "error: --target premium=gpt-5: column 'gpt-5' is not evaluated; map each target to the --strong column")]
    [InlineData("--target premium={strong}", "error: Target 'economy' of '{config}' has no --target mapping: add --target economy=<column> (targets: premium, economy).")]
    [InlineData("--target premium", "error: --target 'premium' must be <target>=<column>")]
    [InlineData("--target premium={strong} --target PREMIUM={weak}", "error: --target maps 'PREMIUM' twice.")]
    [InlineData("--target premium={weak} --target economy={weak}", "error: Map at least one target to --strong")]
    [InlineData("", "error: --config needs a --target <target>=<column> for every target of the configuration.")]
    [InlineData("--target premium={strong} --target economy={weak} --router length", "error: --router and --config exclude each other")]
    [InlineData("--target premium={strong} --target economy={weak} --folds 3", "error: --folds does not apply to --config")]
    public void Errors_NameTheProblem(string arguments, string expected)
    {
        using var folder = new TempFolder();
        string config = folder.Write("appsettings.json", $$"""{ "LlmRouting": { "Default": "economy", "Strategies": [ "classifier" ], {{TwoTargets}} } }""");
        string[] extra = arguments.Replace("{strong}", Strong, StringComparison.Ordinal).Replace("{weak}", Weak, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stderr = new StringWriter();
        int exit = Invoke(new StringWriter(), stderr, ["eval", "--data", SyntheticData.Mmlu, "--strong", Strong, "--weak", Weak, "--config", config, .. extra, "--out", folder.Path]);
        Assert.Equal(1, exit);
        Assert.Contains(expected.Replace("{config}", config, StringComparison.Ordinal), stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "LlmRouting": { "Default": "economy", "Strategies": [ "clasifier" ], TARGETS } }""", "is invalid: LlmRouting:Strategies[0] 'clasifier' is not a registered strategy")]
    [InlineData("""{ "LlmRouting": { "Default": "economy", "Strategies": [ "classifier" ], "Classifier": { "PremiumTarget": "gold" }, TARGETS } }""", "is invalid: LlmRouting:Classifier:PremiumTarget 'gold' is not a configured target.")]
    [InlineData("""{ "LlmRouting": { "Default": "economy", "Strategies": [ "embedding" ], TARGETS } }""", "LlmRouting:Embedding:Routes is empty, but the 'embedding' strategy is listed")]
    [InlineData("""{ "LlmRouting": { "Default": "economy" } }""", "declares no targets under LlmRouting:Targets.")]
    [InlineData("""{ "LlmRouting": """, "is not valid JSON")]
    public void InvalidConfigurations_AreReportedWithTheField(string json, string expected)
    {
        using var folder = new TempFolder();
        string config = folder.Write("appsettings.json", json.Replace("TARGETS", TwoTargets, StringComparison.Ordinal));
        var stderr = new StringWriter();
        int exit = Invoke(new StringWriter(), stderr, ["eval", "--data", SyntheticData.Mmlu, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--out", folder.Path]);
        Assert.Equal(1, exit);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFilesAndStrayTargets_AreErrors()
    {
        var stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["eval", "--data", SyntheticData.Mmlu, "--strong", Strong, "--weak", Weak, "--config", "/no/appsettings.json", "--target", $"premium={Strong}"]));
        Assert.Contains("error: Configuration file '/no/appsettings.json' does not exist.", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["eval", "--data", SyntheticData.Mmlu, "--strong", Strong, "--weak", Weak, "--target", $"premium={Strong}"]));
        Assert.Contains("error: --target needs --config", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Conversations_AreRoutedAndScoredWhole_NotAsTheirLatestMessage()
    {
        using var folder = new TempFolder();

        // Two three-message conversations and two single prompts; the rule sends conversations of three messages or more to premium.
        string data = folder.Write("chats.jsonl", string.Join('\n',
            $$"""{"prompt":[{"role":"user","content":"Plan a trip."},{"role":"assistant","content":"Where to?"},{"role":"user","content":"Lisbon."}],"{{Weak}}":0,"{{Strong}}":1}""",
            $$"""{"prompt":"Lisbon.","{{Weak}}":1,"{{Strong}}":1}""",
            $$"""{"prompt":["Name a colour.","Another one.","And a third."],"{{Weak}}":0,"{{Strong}}":0}""",
            $$"""{"prompt":"And a third.","{{Weak}}":0,"{{Strong}}":1}""") + "\n");
        string config = folder.Write("appsettings.json", $$"""
            { "LlmRouting": { "Default": "economy", {{TwoTargets}},
              "Rules": [ { "Name": "long chats", "Target": "premium", "MinMessages": 3 } ] } }
            """);
        int exit = Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", data, "--strong", Strong, "--weak", Weak, "--config", config, "--target", $"premium={Strong}", "--target", $"economy={Weak}", "--bootstrap", "0", "--out", Path.Combine(folder.Path, "config")]);
        Assert.Equal(0, exit);

        // Served: premium 1, economy 1, premium 0, economy 0 = quality 0.5; weak 0.25, strong 0.75: PGR 0.5.
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "config", "summary.json")));
        JsonElement point = summary.RootElement.GetProperty("operating_point");
        Assert.Equal(0.5, point.GetProperty("premium_share").GetDouble(), 9);
        Assert.Equal(0.5, point.GetProperty("quality").GetDouble(), 9);
        Assert.Equal(2, point.GetProperty("decided_by").GetProperty("rules").GetInt32());

        // The default score reads the whole conversation (its user turns and depth), as the library does.
        exit = Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", data, "--strong", Strong, "--weak", Weak, "--router", "default", "--bootstrap", "0", "--out", Path.Combine(folder.Path, "default")]);
        Assert.Equal(0, exit);
        double[] scores = [.. File.ReadAllLines(Path.Combine(folder.Path, "default", "scores.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture))];
        Data.LabelledPrompt[] prompts = [.. Data.LabelledDataset.Load([data], Strong, Weak).Prompts];
        Assert.Equal(new RoutingRequest(prompts[0].Conversation!).Analysis.PremiumNeed, scores[0], 12);
        Assert.Equal(new RoutingRequest("Lisbon.").Analysis.PremiumNeed, scores[1], 12);
        Assert.True(scores[0] > scores[1], "the conversation ending in 'Lisbon.' needs more than the message alone");
        Assert.True(scores[2] > scores[3], "three turns score above their last one alone");

        // The adaptive router: its prior is the conversation's default score, its regions the latest user message's.
        string model = Path.Combine(folder.Path, "adaptive.json");
        string[] files = [Path.Combine(SyntheticData.Mmlu, "mmlu_anatomy.csv"), Path.Combine(SyntheticData.Mmlu, "mmlu_astronomy.csv")];
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), ["train", "--router", "adaptive", "--data", .. files, "--strong", Strong, "--weak", Weak, "--holdout", "0", "--out", model]));
        exit = Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", data, "--strong", Strong, "--weak", Weak, "--router", model, "--bootstrap", "0", "--out", Path.Combine(folder.Path, "adaptive")]);
        Assert.Equal(0, exit);
        double[] adaptive = [.. File.ReadAllLines(Path.Combine(folder.Path, "adaptive", "scores.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture))];
        AdaptiveModel trained = AdaptiveModelFile.Load(model);
        Assert.Equal(trained.Score("Lisbon.", new RoutingRequest(prompts[0].Conversation!).Analysis.PremiumNeed), adaptive[0], 12);
        Assert.Equal(trained.Score("Lisbon.", new RoutingRequest("Lisbon.").Analysis.PremiumNeed), adaptive[1], 12);
        Assert.NotEqual(adaptive[0], adaptive[1]);
    }

    private static int Invoke(TextWriter stdout, TextWriter stderr, string[] args)
    {
        var root = new RootCommand { EvalCommand.Create(), TrainCommand.Create(), CalibrateCommand.Create() };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
