using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace LlmRouting.Cli.Commands;

/// <summary><c>llmroute regress</c>: compares evaluation results with the documented figures and fails when one got worse by more than the tolerance.</summary>
/// <remarks>
/// The expected file lists figures as <c>{ "run": "default", "figure": "apgr", "expected": 0.5872, "better": "higher" }</c>:
/// <c>run</c> is a folder under <c>--results</c> holding a <c>summary.json</c>, <c>figure</c> a dotted path in it
/// (<c>apgr</c>, <c>cpt50</c>, <c>intervals.apgr.lower</c>, <c>operating_point.pgr</c>, <c>folds.2.apgr</c>), and
/// <c>better</c> says which way is an improvement. Improvements never fail; they are reported so the documented figure can be raised.
/// </remarks>
internal static class RegressCommand
{
    public static Command Create()
    {
        var expected = new Option<string>("--expected") { Description = "The documented figures (JSON: tolerance and a list of run, figure, expected, better).", Required = true };
        var results = new Option<string>("--results") { Description = "The folder holding one sub-folder (with summary.json) per run.", Required = true };
        var command = new Command("regress", "Compare evaluation results with documented figures; fail when any is worse by more than the tolerance (default 0.01).")
        {
            expected, results,
        };
        command.SetAction(parse => CommonOptions.Run(parse, () => Run(parse.GetValue(expected)!, parse.GetValue(results)!, parse.InvocationConfiguration.Output)));
        return command;
    }

    /// <summary>Compares every figure; throws when any regressed.</summary>
    /// <param name="expectedPath">The expected-figures file.</param>
    /// <param name="resultsDirectory">The results folder.</param>
    /// <param name="stdout">Where each comparison is printed.</param>
    /// <returns>The number of figures compared.</returns>
    /// <exception cref="CliException">A file or figure is missing, the file is malformed, or a figure regressed.</exception>
    public static int Run(string expectedPath, string resultsDirectory, TextWriter stdout)
    {
        if (!File.Exists(expectedPath))
        {
            throw new CliException($"The expected-figures file '{expectedPath}' does not exist.");
        }

        JsonDocument expected;
        try
        {
            expected = JsonDocument.Parse(File.ReadAllText(expectedPath));
        }
        catch (JsonException e)
        {
            throw new CliException($"The expected-figures file '{expectedPath}' is not valid JSON: {e.Message}", e);
        }

        using (expected)
        {
            JsonElement root = expected.RootElement;
            double tolerance = root.TryGetProperty("tolerance", out JsonElement t) ? t.GetDouble() : 0.01;
            if (!root.TryGetProperty("figures", out JsonElement figures) || figures.ValueKind != JsonValueKind.Array)
            {
                throw new CliException($"The expected-figures file '{expectedPath}' has no 'figures' list.");
            }

            var summaries = new Dictionary<string, JsonDocument>(StringComparer.Ordinal);
            var failures = new List<string>();
            int compared = 0;
            try
            {
                foreach (JsonElement entry in figures.EnumerateArray())
                {
                    string run = Text(entry, "run", expectedPath);
                    string figure = Text(entry, "figure", expectedPath);
                    string better = Text(entry, "better", expectedPath);
                    if (better is not ("higher" or "lower"))
                    {
                        throw new CliException($"{expectedPath}: '{run}' {figure}: 'better' must be 'higher' or 'lower' (was '{better}').");
                    }

                    double want = entry.TryGetProperty("expected", out JsonElement e) && e.ValueKind == JsonValueKind.Number
                        ? e.GetDouble()
                        : throw new CliException($"{expectedPath}: '{run}' {figure} has no numeric 'expected'.");
                    if (!summaries.TryGetValue(run, out JsonDocument? summary))
                    {
                        string file = Path.Combine(resultsDirectory, run, "summary.json");
                        summary = File.Exists(file)
                            ? JsonDocument.Parse(File.ReadAllText(file))
                            : throw new CliException($"Run '{run}' has no results: '{file}' does not exist.");
                        summaries[run] = summary;
                    }

                    double actual = Figure(summary.RootElement, figure) ?? throw new CliException($"Run '{run}' has no figure '{figure}' in its summary.json.");
                    double worse = better == "higher" ? want - actual : actual - want;
                    bool failed = worse > tolerance + 1e-12;
                    compared++;
                    string line = string.Create(CultureInfo.InvariantCulture, $"{(failed ? "FAIL" : worse < -tolerance ? "BETTER" : "ok"),-6} {run} {figure}: {actual:0.0000} (documented {want:0.0000}, {better} is better)");
                    stdout.WriteLine(line);
                    if (failed)
                    {
                        failures.Add(line[7..]);
                    }
                }
            }
            finally
            {
                foreach (JsonDocument summary in summaries.Values)
                {
                    summary.Dispose();
                }
            }

            if (failures.Count > 0)
            {
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{failures.Count} of {compared} documented figures got worse by more than {tolerance}: {string.Join("; ", failures)}"));
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"regression: all {compared} documented figures hold (tolerance {tolerance})."));
            return compared;
        }
    }

    private static string Text(JsonElement entry, string name, string file) =>
        entry.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new CliException($"{file}: every figure needs a string '{name}'.");

    private static double? Figure(JsonElement root, string path)
    {
        JsonElement current = root;
        foreach (string part in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Number ? current.GetDouble() : null;
    }
}
