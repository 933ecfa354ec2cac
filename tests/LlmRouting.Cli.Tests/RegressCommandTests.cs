using System.CommandLine;
using LlmRouting.Cli.Commands;

namespace LlmRouting.Cli.Tests;

public class RegressCommandTests
{
    private const string Summary = """{ "apgr": 0.60, "cpt50": 0.36, "intervals": { "apgr": { "lower": 0.52 } }, "folds": [ { "apgr": 0.55 } ], "operating_point": { "pgr": 0.45 } }""";

    [Theory]
    [InlineData("apgr", 0.605, "higher")] // within 0.01 below the documented figure
    [InlineData("apgr", 0.55, "higher")] // better than documented
    [InlineData("cpt50", 0.355, "lower")]
    [InlineData("intervals.apgr.lower", 0.52, "higher")]
    [InlineData("folds.0.apgr", 0.559, "higher")]
    [InlineData("operating_point.pgr", 0.45, "higher")]
    public void HoldingFigures_Pass(string figure, double expected, string better)
    {
        using var folder = Results();
        string file = folder.Write("expected.json", Expected(figure, expected, better));
        var stdout = new StringWriter();
        Assert.Equal(0, Invoke(stdout, new StringWriter(), ["regress", "--expected", file, "--results", folder.Path]));
        Assert.Contains("regression: all 1 documented figures hold (tolerance 0.01).", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apgr", 0.611, "higher", "FAIL   default apgr: 0.6000 (documented 0.6110, higher is better)")] // dropped by 0.011
    [InlineData("cpt50", 0.349, "lower", "FAIL   default cpt50: 0.3600 (documented 0.3490, lower is better)")] // rose by 0.011
    [InlineData("folds.0.apgr", 0.57, "higher", "FAIL   default folds.0.apgr: 0.5500")]
    public void AFigureWorseByMoreThanTheTolerance_Fails(string figure, double expected, string better, string line)
    {
        using var folder = Results();
        string file = folder.Write("expected.json", Expected(figure, expected, better));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(1, Invoke(stdout, stderr, ["regress", "--expected", file, "--results", folder.Path]));
        Assert.Contains(line, stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("error: 1 of 1 documented figures got worse by more than 0.01:", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheCommittedFigures_FailWhenOneIsLowered()
    {
        // The committed expected file, with every run's summary at exactly its documented figures, passes;
        // lowering one result by 0.02 fails and names it.
        string committed = Path.Combine(RepositoryRoot(), "docs", "evaluation", "expected-figures.json");
        using var folder = new TempFolder();
        using (System.Text.Json.JsonDocument doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(committed)))
        {
            var runs = doc.RootElement.GetProperty("figures").EnumerateArray().GroupBy(f => f.GetProperty("run").GetString()!);
            foreach (var run in runs)
            {
                var root = new System.Text.Json.Nodes.JsonObject();
                foreach (var f in run)
                {
                    Set(root, f.GetProperty("figure").GetString()!, f.GetProperty("expected").GetDouble() - (run.Key == "default" && f.GetProperty("figure").GetString() == "apgr" ? 0.02 : 0));
                }

                Directory.CreateDirectory(Path.Combine(folder.Path, run.Key));
                File.WriteAllText(Path.Combine(folder.Path, run.Key, "summary.json"), root.ToJsonString());
            }
        }

        var stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["regress", "--expected", committed, "--results", folder.Path]));
        Assert.Contains("default apgr:", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("error: 1 of ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRunsFiguresAndFiles_AreNamed()
    {
        using var folder = Results();
        var stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["regress", "--expected", folder.Write("e1.json", Expected("apgr", 0.6, "higher", run: "other")), "--results", folder.Path]));
        Assert.Contains($"error: Run 'other' has no results: '{Path.Combine(folder.Path, "other", "summary.json")}' does not exist.", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["regress", "--expected", folder.Write("e2.json", Expected("cpt99", 0.6, "higher")), "--results", folder.Path]));
        Assert.Contains("error: Run 'default' has no figure 'cpt99' in its summary.json.", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["regress", "--expected", folder.Write("e3.json", Expected("apgr", 0.6, "up")), "--results", folder.Path]));
        Assert.Contains("'better' must be 'higher' or 'lower' (was 'up').", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Invoke(new StringWriter(), stderr, ["regress", "--expected", "/no/expected.json", "--results", folder.Path]));
        Assert.Contains("error: The expected-figures file '/no/expected.json' does not exist.", stderr.ToString(), StringComparison.Ordinal);
    }

    private static TempFolder Results()
    {
        var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "default"));
        File.WriteAllText(Path.Combine(folder.Path, "default", "summary.json"), Summary);
        return folder;
    }

    private static string Expected(string figure, double expected, string better, string run = "default") =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{ "tolerance": 0.01, "figures": [ { "run": "{{run}}", "figure": "{{figure}}", "expected": {{expected}}, "better": "{{better}}" } ] }""");

    private static void Set(System.Text.Json.Nodes.JsonObject root, string path, double value)
    {
        // Paths with array indices (folds.2.apgr) become objects keyed "2"; write those as arrays instead.
        string[] parts = path.Split('.');
        System.Text.Json.Nodes.JsonNode current = root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            bool nextIsIndex = int.TryParse(parts[i + 1], out _);
            if (current is System.Text.Json.Nodes.JsonObject obj)
            {
                current = obj[parts[i]] ??= nextIsIndex ? new System.Text.Json.Nodes.JsonArray() : new System.Text.Json.Nodes.JsonObject();
            }
            else
            {
                var array = (System.Text.Json.Nodes.JsonArray)current;
                int index = int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture);
                while (array.Count <= index)
                {
                    array.Add(nextIsIndex ? new System.Text.Json.Nodes.JsonArray() : new System.Text.Json.Nodes.JsonObject());
                }

                current = array[index]!;
            }
        }

        if (current is System.Text.Json.Nodes.JsonArray leafArray)
        {
            int index = int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture);
            while (leafArray.Count <= index)
            {
                leafArray.Add(null);
            }

            leafArray[index] = value;
        }
        else
        {
            ((System.Text.Json.Nodes.JsonObject)current)[parts[^1]] = value;
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmRouting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (LlmRouting.sln) is not above the test's base directory.");
    }

    private static int Invoke(TextWriter stdout, TextWriter stderr, string[] args)
    {
        var root = new RootCommand { RegressCommand.Create() };
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
