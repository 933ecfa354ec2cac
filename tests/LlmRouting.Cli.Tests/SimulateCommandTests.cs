using System.CommandLine;
using System.Globalization;
using LlmRouting.Analysis;
using LlmRouting.Cli.Commands;
using LlmRouting.Cli.Data;

namespace LlmRouting.Cli.Tests;

/// <summary><c>llmroute simulate</c> on generated data: the live router starts at the default score and the curve is written.</summary>
public class SimulateCommandTests
{
    [Fact]
    public void TheLiveRouter_StartsAtTheDefaultScore_AndWritesTheCurve()
    {
        using var folder = new TempFolder();
        var stdout = new StringWriter();
        string[] data = [.. Directory.GetFiles(SyntheticData.Mmlu, "*.csv")];
        var root = new RootCommand { SimulateCommand.Create() };

        int exit = root.Parse(["simulate", "--data", .. data, "--strong", SyntheticData.Strong, "--weak", SyntheticData.Weak, "--audit-rate", "0.5",
            "--windows", "4", "--repeats", "1", "--retrain-every", "20", "--offline-apgr", "0.7", "--out", folder.Path])
            .Invoke(new InvocationConfiguration { Output = stdout, Error = new StringWriter() });

        Assert.Equal(0, exit);
        string[] csv = File.ReadAllLines(Path.Combine(folder.Path, "learning-curve.csv"));
        Assert.Equal("window,prompts_streamed,labels,live_apgr,default_apgr", csv[0]);
        Assert.Equal(6, csv.Length); // header, window 0 (no label yet) and 4 windows
        string[] first = csv[1].Split(',');
        Assert.Equal(("0", "0.0"), (first[0], first[2]));
        Assert.Equal(first[3], first[4]); // before any label the live router is the default score
        Assert.True(double.Parse(csv[^1].Split(',')[2], CultureInfo.InvariantCulture) > 0);
        string svg = File.ReadAllText(Path.Combine(folder.Path, "learning-curve.svg"));
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("offline adaptive (0.700)", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void TaskNone_LabelsCarryTheAnalyzersTaskType_AndTheHeldOutPromptsNoTask()
    {
        var code = new LabelledPrompt("Refactor this C# method:\n```csharp\npublic int Sum(int[] xs) { return xs.Sum(); }\n```", 1, 0, "mmlu_code_review");
        RequestAnalysis analysis = RequestAnalyzer.Default.AnalyzeText(code.Prompt);
        Assert.Equal("mmlu_code_review", SimulateCommand.LabelTask(code, taskFromGroup: true, analysis));
        Assert.Equal("mmlu_code_review", SimulateCommand.CallerTask(code, taskFromGroup: true));
        Assert.Equal("code", SimulateCommand.LabelTask(code, taskFromGroup: false, analysis));
        Assert.Null(SimulateCommand.CallerTask(code, taskFromGroup: false));

        using var folder = new TempFolder();
        var stdout = new StringWriter();
        string[] data = [.. Directory.GetFiles(SyntheticData.Mmlu, "*.csv")];
        int exit = new RootCommand { SimulateCommand.Create() }.Parse(["simulate", "--data", .. data, "--strong", SyntheticData.Strong, "--weak", SyntheticData.Weak,
            "--audit-rate", "0.5", "--windows", "4", "--repeats", "1", "--retrain-every", "20", "--task", "none", "--out", folder.Path])
            .Invoke(new InvocationConfiguration { Output = stdout, Error = new StringWriter() });
        Assert.Equal(0, exit);
        Assert.Contains("no task: the analyzer's task type, the text alone", stdout.ToString(), StringComparison.Ordinal);
        string[] first = File.ReadAllLines(Path.Combine(folder.Path, "learning-curve.csv"))[1].Split(',');
        Assert.Equal(first[3], first[4]);
    }

    [Theory]
    [InlineData("--audit-rate", "0", "--audit-rate")]
    [InlineData("--task", "subject", "--task must be 'group' or 'none' (was 'subject')")]
    public void BadArguments_AreRejected_NamingThem(string option, string value, string message)
    {
        var stderr = new StringWriter();
        var root = new RootCommand { SimulateCommand.Create() };

        int exit = root.Parse(["simulate", "--data", SyntheticData.Mmlu, "--strong", SyntheticData.Strong, "--weak", SyntheticData.Weak, option, value])
            .Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = stderr });

        Assert.Equal(1, exit);
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
    }
}
