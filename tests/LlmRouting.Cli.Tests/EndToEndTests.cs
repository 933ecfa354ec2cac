using System.CommandLine;
using System.Text.Json;
using System.Xml.Linq;
using LlmRouting.Cli.Commands;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Tests;

public class EndToEndTests
{
    private const string Strong = SyntheticData.Strong;
    private const string Weak = SyntheticData.Weak;

    private static string[] Slice => [Path.Combine(SyntheticData.Mmlu, "mmlu_anatomy.csv"), Path.Combine(SyntheticData.Mmlu, "mmlu_astronomy.csv"), Path.Combine(SyntheticData.Mmlu, "mmlu_abstract_algebra.csv")];

    [Theory]
    [InlineData("default")]
    [InlineData("classifier")]
    [InlineData("length")]
    [InlineData("random")]
    public void Eval_OnASyntheticSlice_WritesConsistentJsonCsvAndWellFormedSvg(string router)
    {
        using var folder = new TempFolder();
        var stdout = new StringWriter();
        int exit = Invoke(stdout, new StringWriter(), ["eval", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--router", router, "--out", folder.Path, "--exclude", Path.Combine(SyntheticData.Mmlu, "contaminated_prompts.jsonl")]);
        Assert.Equal(0, exit);

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        JsonElement root = summary.RootElement;
        int prompts = root.GetProperty("prompts").GetInt32();
        Assert.Equal(135 + 152 + 100, prompts);
        double weak = root.GetProperty("weak_quality").GetDouble();
        double strong = root.GetProperty("strong_quality").GetDouble();
        Assert.InRange(weak, 0.55, 0.75);
        Assert.True(strong > weak);
        Assert.InRange(root.GetProperty("apgr").GetDouble(), 0, 2);
        Assert.InRange(root.GetProperty("cpt50").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("cpt80").GetDouble(), root.GetProperty("cpt50").GetDouble(), 1);
        Assert.Equal(0.5, root.GetProperty("baselines").GetProperty("random").GetProperty("apgr").GetDouble(), 6);

        // By default the figures come with 95 % intervals over resamples of whole files.
        JsonElement intervals = root.GetProperty("intervals");
        Assert.Equal("group", intervals.GetProperty("unit").GetString());
        Assert.Equal(3, intervals.GetProperty("units").GetInt32());
        Assert.Equal(1000, intervals.GetProperty("resamples").GetInt32());
        Assert.Equal(0.95, intervals.GetProperty("level").GetDouble());
        foreach (string figure in new[] { "apgr", "cpt50", "cpt80" })
        {
            Assert.True(intervals.GetProperty(figure).GetProperty("lower").GetDouble() <= intervals.GetProperty(figure).GetProperty("upper").GetDouble());
        }

        Assert.Contains("95% interval over 1000 resamples of 3 groups: APGR ", stdout.ToString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("baselines").GetProperty("oracle").GetProperty("apgr").GetDouble() > 1);

        // The group oracle scores every prompt with its own file's true mean gain: between random and the oracle.
        double groupOracle = root.GetProperty("baselines").GetProperty("group_oracle").GetProperty("apgr").GetDouble();
        Assert.InRange(groupOracle, 0.5, root.GetProperty("baselines").GetProperty("oracle").GetProperty("apgr").GetDouble());
        JsonElement[] points = [.. root.GetProperty("points").EnumerateArray()];
        Assert.Equal(101, points.Length);
        Assert.Equal(weak, points[0].GetProperty("quality").GetDouble(), 6);
        Assert.Equal(strong, points[^1].GetProperty("quality").GetDouble(), 6);

        // scores.csv: one row per prompt in input order; recomputing the qualities from it gives the summary's.
        string[] rows = File.ReadAllLines(Path.Combine(folder.Path, "scores.csv"));
        Assert.Equal("index,group,score,weak,strong", rows[0]);
        Assert.Equal(prompts + 1, rows.Length);
        Assert.StartsWith("0,mmlu_anatomy,", rows[1], StringComparison.Ordinal);
        Assert.Equal(weak, rows.Skip(1).Average(r => double.Parse(r.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture)), 6);

        Assert.Equal(102, File.ReadAllLines(Path.Combine(folder.Path, "curve.csv")).Length);

        XDocument svg = XDocument.Load(Path.Combine(folder.Path, "curve.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Equal(4, svg.Descendants(ns + "polyline").Count());
        string text = string.Concat(svg.Descendants(ns + "text").Select(t => t.Value + "|"));
        Assert.Contains("random (APGR 0.500)", text, StringComparison.Ordinal);
        Assert.Contains("oracle (APGR", text, StringComparison.Ordinal);
        Assert.Contains("group oracle (APGR", text, StringComparison.Ordinal);
        Assert.Contains("Share of calls to the premium (strong) model", text, StringComparison.Ordinal);
        Assert.Contains("Loaded 387 prompts from 3 file(s)", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_WithFolds_TrainsPerFoldAndReportsOutOfFoldFigures()
    {
        using var folder = new TempFolder();
        var stdout = new StringWriter();
        int exit = Invoke(stdout, new StringWriter(), ["eval", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--router", "embedding", "--folds", "3", "--bootstrap", "0", "--out", folder.Path]);
        Assert.Equal(0, exit);
        Assert.Contains("Fold 3/3", stdout.ToString(), StringComparison.Ordinal);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        Assert.Equal("embedding (3-fold by group)", summary.RootElement.GetProperty("router").GetString());
        Assert.False(summary.RootElement.TryGetProperty("intervals", out _), "--bootstrap 0 turns the intervals off");
    }

    [Fact]
    public void Eval_WithFoldsByPrompt_TrainsTheClassifierInDistribution()
    {
        using var folder = new TempFolder();
        var stdout = new StringWriter();
        int exit = Invoke(stdout, new StringWriter(), ["eval", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--router", "classifier", "--folds", "3", "--split", "prompt", "--bootstrap", "0", "--out", folder.Path]);
        Assert.Equal(0, exit);
        Assert.Contains("Fold 3/3: 129 random prompts from 3 group(s), router fitted on 258.", stdout.ToString(), StringComparison.Ordinal);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        Assert.Equal("classifier (3-fold by prompt)", summary.RootElement.GetProperty("router").GetString());
    }

    [Fact]
    public void Eval_AdaptiveByGroup_WithTheTaskFromTheGroup_RanksEveryHeldOutGroupAsTheDefaultScoreDoes()
    {
        // Every held-out group is a task the fold's model never learnt: with --task group it keeps the calibrated prior,
        // a monotone map of the default score, so each fold's figures are the default's exactly (the pooled figure is not:
        // it ranks the scores of three differently calibrated models together).
        using var folder = new TempFolder();
        string[] common = ["eval", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--folds", "3", "--bootstrap", "0"];
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--router", "default", "--out", Path.Combine(folder.Path, "default")]));
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--router", "adaptive", "--task", "group", "--out", Path.Combine(folder.Path, "adaptive")]));
        using JsonDocument baseline = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "default", "summary.json")));
        using JsonDocument adaptive = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "adaptive", "summary.json")));
        Assert.Equal("adaptive (3-fold by group, task = group)", adaptive.RootElement.GetProperty("router").GetString());
        double[] Folds(JsonDocument d) => [.. d.RootElement.GetProperty("folds").EnumerateArray().Select(f => f.GetProperty("apgr").GetDouble())];
        Assert.Equal(3, Folds(adaptive).Length);
        Assert.Equal(Folds(baseline), Folds(adaptive));
    }

    [Fact]
    public void Eval_AdaptiveModel_WithTheTaskFromTheGroup_TakesEachGroupsRegion()
    {
        // A known task takes its group's region alone: within a group the scores are a monotone map of the default score
        // (the region's shift added to the calibrated prior), and they differ from the text's (its nearest regions pooled).
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "adaptive.json");
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), ["train", "--router", "adaptive", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--holdout", "0", "--out", model]));
        string[] common = ["eval", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--router", model, "--bootstrap", "0"];
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--out", Path.Combine(folder.Path, "text")]));
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--task", "group", "--out", Path.Combine(folder.Path, "task")]));
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), ["eval", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--router", "default", "--bootstrap", "0", "--out", Path.Combine(folder.Path, "default")]));
        Assert.True(MonotoneInTheDefaultWithinEachGroup("task"), "with the task, each group ranks as the default score");
        Assert.NotEqual(File.ReadAllText(Path.Combine(folder.Path, "text", "scores.csv")), File.ReadAllText(Path.Combine(folder.Path, "task", "scores.csv")));

        bool MonotoneInTheDefaultWithinEachGroup(string run)
        {
            var defaults = Scores("default");
            return Scores(run).Zip(defaults, (s, d) => (s.Group, Score: s.Score, Default: d.Score))
                .GroupBy(x => x.Group)
                .All(g => g.OrderBy(x => x.Default).Zip(g.OrderBy(x => x.Default).Skip(1), (a, b) => b.Default == a.Default || b.Score > a.Score).All(ok => ok));
        }

        List<(string Group, double Score)> Scores(string run) =>
        [
            .. File.ReadAllLines(Path.Combine(folder.Path, run, "scores.csv")).Skip(1)
                .Select(l => l.Split(','))
                .Select(f => (f[1], double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))),
        ];
    }

    [Fact]
    public void GroupColumn_InOneFile_GivesTheFiguresAndTheRegionsOfOneFilePerGroup()
    {
        // Labelled traffic exported as one file with a task column evaluates and trains as the same prompts split into one
        // file per task: the same folds of whole groups, the same group regions (named by the column), the same scores.
        using var folder = new TempFolder();
        var merged = new System.Text.StringBuilder($"prompt,{Weak},{Strong},subject\n");
        foreach (LlmRouting.Cli.Data.LabelledPrompt p in LlmRouting.Cli.Data.LabelledDataset.Load(Slice, Strong, Weak).Prompts)
        {
            merged.Append('"').Append(p.Prompt.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\",")
                .Append(p.Weak == 1 ? "True" : "False").Append(',').Append(p.Strong == 1 ? "True" : "False").Append(',').Append(p.Group).Append('\n');
        }

        string one = folder.Write("traffic.csv", merged.ToString());
        foreach (string split in new[] { "group", "prompt" })
        {
            string[] common = ["eval", "--strong", Strong, "--weak", Weak, "--router", "adaptive", "--folds", "3", "--split", split, "--bootstrap", "0"];
            Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--data", .. Slice, "--out", Path.Combine(folder.Path, "files-" + split)]));
            Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), [.. common, "--data", one, "--group-column", "subject", "--out", Path.Combine(folder.Path, "column-" + split)]));
            Assert.Equal(
                File.ReadAllText(Path.Combine(folder.Path, "files-" + split, "scores.csv")),
                File.ReadAllText(Path.Combine(folder.Path, "column-" + split, "scores.csv")));
        }

        // Without the column the one file is one group: k-means regions, other scores.
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), ["eval", "--strong", Strong, "--weak", Weak, "--router", "adaptive", "--folds", "3", "--split", "prompt", "--bootstrap", "0", "--data", one, "--out", Path.Combine(folder.Path, "no-column")]));
        Assert.NotEqual(ScoreColumn("column-prompt"), ScoreColumn("no-column"));

        string model = Path.Combine(folder.Path, "adaptive.json");
        Assert.Equal(0, Invoke(new StringWriter(), new StringWriter(), ["train", "--router", "adaptive", "--data", one, "--group-column", "subject", "--strong", Strong, "--weak", Weak, "--holdout", "0", "--out", model]));
        Assert.Equal(["mmlu_abstract_algebra", "mmlu_anatomy", "mmlu_astronomy"], AdaptiveModelFile.Load(model).Groups);

        string[] ScoreColumn(string run) => [.. File.ReadAllLines(Path.Combine(folder.Path, run, "scores.csv")).Skip(1).Select(l => l.Split(',')[2])];
    }

    [Fact]
    public void TrainThenCalibrate_WritesALoadableModelAndAThreshold()
    {
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "model.json");
        var stdout = new StringWriter();
        Assert.Equal(0, Invoke(stdout, new StringWriter(), ["train", "--data", .. Slice, "--strong", Strong, "--weak", Weak, "--out", model, "--holdout", "0.3", "--seed", "3", "--hash-bits", "12", "--epochs", "2"]));
        Assert.Contains("Held-out figures:", stdout.ToString(), StringComparison.Ordinal);
        ClassifierModel loaded = ClassifierModel.Load(model);
        Assert.Contains("holdout_apgr", loaded.Training.Keys);
        Assert.Matches(@"^0\.\d{4}-[01]\.\d{4} \(1000 resamples of \d+ (groups|prompts)\)$", loaded.Training["holdout_apgr_95"]);
        Assert.Contains("95% interval over 1000 resamples", stdout.ToString(), StringComparison.Ordinal);

        var calibrated = new StringWriter();
        Assert.Equal(0, Invoke(calibrated, new StringWriter(), ["calibrate", "--data", .. Slice, "--model", model, "--premium-share", "0.3"]));
        Assert.Matches(@"sends (2\d|30)\.\d% of 387 prompts to premium", calibrated.ToString());
    }

    [Theory]
    [InlineData("eval --data /no/such.csv --strong a --weak b", "error: The data file or folder '/no/such.csv' does not exist.")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong a --weak a", "error: --strong and --weak name the same column 'a'")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong gpt-5 --weak mistralai/Mixtral-8x7B-Instruct-v0.1", "column 'gpt-5' (--strong) not found")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong prompt --weak mistralai/Mixtral-8x7B-Instruct-v0.1", "error: Column 'prompt' is neither boolean (True/False, 1/0) nor numeric:")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1 --router bogus", "error: Unknown router 'bogus'")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1 --router embedding", "needs labelled training prompts")]
    [InlineData("eval --data /no/such/data.csv --strong a --weak b --folds 5 --split subject", "error: --split must be 'group' or 'prompt' (was 'subject').")]
    [InlineData("eval --data /no/such/data.csv --strong a --weak b --task topic", "error: --task must be 'group' or 'none' (was 'topic').")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1 --task group", "error: --task group applies to the adaptive router only (was --router default).")]
    [InlineData("eval --data /no/such/data.csv --strong a --weak b --bootstrap 50", "error: --bootstrap must be 0 (no intervals) or at least 100 (was 50).")]
    [InlineData("eval --data /no/such/data.csv --strong a --weak b --confidence 1.2", "error: --confidence must be between 0 and 1, exclusive (was 1.2).")]
    [InlineData("calibrate --data {mmlu}/mmlu_anatomy.csv --model /no/model.json --premium-share 0.3", "error: Classifier model file '/no/model.json' does not exist.")]
    [InlineData("calibrate --data {mmlu}/mmlu_anatomy.csv --premium-share 1.5", "error: --premium-share must be in [0, 1] (was 1.5).")]
    [InlineData("train --data {mmlu}/mmlu_anatomy.csv --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1 --out /tmp/x.json --holdout 1", "error: --holdout must be in [0, 1) (was 1).")]
    [InlineData("eval --data {mmlu}/mmlu_anatomy.csv --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1 --group-column subject", "column 'subject' (--group-column) not found; the columns are: 'prompt',")]
    [InlineData("train --router adaptive --data {mmlu}/mmlu_anatomy.csv --strong gpt-4-1106-preview --weak mistralai/Mixtral-8x7B-Instruct-v0.1 --out /tmp/x.json --group-column prompt", "error: --group-column 'prompt' must name a column of its own")]
    public void Errors_ArePrintedAndExitWithOne(string commandLine, string expected)
    {
        var stderr = new StringWriter();
        string[] args = commandLine.Replace("{mmlu}", SyntheticData.Mmlu, StringComparison.Ordinal).Split(' ');
        int exit = Invoke(new StringWriter(), stderr, args);
        Assert.Equal(1, exit);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_IsPlainLinesWhenRedirected()
    {
        var writer = new StringWriter();
        using (var bar = new ProgressBar("Scoring", 20, writer, interactive: false))
        {
            for (int i = 0; i < 20; i++)
            {
                bar.Increment();
            }
        }

        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.Equal("Scoring: 100% (20/20)", lines[^1].TrimEnd('\r'));
        Assert.DoesNotContain('\r', writer.ToString().Replace(Environment.NewLine, "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_RedrawsOneLineOnATerminal()
    {
        var writer = new StringWriter();
        using (var bar = new ProgressBar("Scoring", 4, writer, interactive: true))
        {
            for (int i = 0; i < 4; i++)
            {
                bar.Increment();
            }
        }

        Assert.Contains("\rScoring [##############################] 100% (4/4)", writer.ToString(), StringComparison.Ordinal);
    }

    private static int Invoke(TextWriter stdout, TextWriter stderr, string[] args)
    {
        var root = new RootCommand { EvalCommand.Create(), TrainCommand.Create(), CalibrateCommand.Create() };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
