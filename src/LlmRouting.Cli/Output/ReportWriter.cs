using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;

namespace LlmRouting.Cli.Output;

/// <summary>Writes an evaluation's files: summary.json, curve.csv, scores.csv and curve.svg.</summary>
internal static class ReportWriter
{
    /// <summary>The number of evenly spaced strong shares reported in summary.json and curve.csv (0 %, 1 %, …, 100 %).</summary>
    public const int GridPoints = 101;

    public static void WriteAll(string directory, EvaluationResult result, LabelledDataset data, string strong, string weak)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "summary.json"), Summary(result, data, strong, weak));
        File.WriteAllText(Path.Combine(directory, "curve.csv"), CurveCsv(result));
        File.WriteAllText(Path.Combine(directory, "scores.csv"), ScoresCsv(result, data));
        File.WriteAllText(Path.Combine(directory, "curve.svg"), SvgPlot.Render(result));
    }

    public static string Summary(EvaluationResult result, LabelledDataset data, string strong, string weak)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("router", result.Router);
            w.WriteNumber("prompts", data.Prompts.Count);
            w.WriteNumber("excluded", data.Excluded);
            w.WriteString("outcomes", data.IsNumeric ? "numeric" : "boolean");
            w.WriteString("strong", strong);
            w.WriteString("weak", weak);
            w.WriteNumber("strong_quality", Round(result.Curve.StrongQuality));
            w.WriteNumber("weak_quality", Round(result.Curve.WeakQuality));
            WriteFigures(w, result.Curve);
            if (result.Intervals is { } intervals)
            {
                WriteIntervals(w, intervals);
            }

            if (result.Folds is { } folds)
            {
                WriteFolds(w, folds);
            }

            if (result.OperatingPoint is { } point)
            {
                WriteOperatingPoint(w, point);
            }

            w.WriteStartArray("points");
            foreach ((double share, double quality, double pgr, double? threshold) in Grid(result.Curve))
            {
                w.WriteStartObject();
                w.WriteNumber("strong_share", Round(share));
                w.WriteNumber("quality", Round(quality));
                w.WriteNumber("pgr", Round(pgr));
                if (threshold is { } t)
                {
                    w.WriteNumber("threshold", t);
                }
                else
                {
                    w.WriteNull("threshold");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("baselines");
            w.WriteStartObject("random");
            WriteFigures(w, result.Random);
            w.WriteEndObject();
            w.WriteStartObject("oracle");
            WriteFigures(w, result.Oracle);
            w.WriteEndObject();
            if (result.GroupOracle is { } groupOracle)
            {
                w.WriteStartObject("group_oracle");
                WriteFigures(w, groupOracle);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartArray("files");
            foreach (string file in data.Files)
            {
                w.WriteStringValue(Path.GetFileName(file));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string CurveCsv(EvaluationResult result)
    {
        var sb = new StringBuilder("strong_share,router_quality,router_pgr,random_quality,oracle_quality,threshold\n");
        foreach ((double share, double quality, double pgr, double? threshold) in Grid(result.Curve))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Round(share)},{Round(quality)},{Round(pgr)},{Round(result.Random.QualityAt(share))},{Round(result.Oracle.QualityAt(share))},{(threshold is { } t ? t.ToString("R", CultureInfo.InvariantCulture) : string.Empty)}\n");
        }

        return sb.ToString();
    }

    public static string ScoresCsv(EvaluationResult result, LabelledDataset data)
    {
        var sb = new StringBuilder("index,group,score,weak,strong\n");
        for (int i = 0; i < data.Prompts.Count; i++)
        {
            LabelledPrompt p = data.Prompts[i];
            sb.Append(CultureInfo.InvariantCulture, $"{i},{Quote(p.Group)},{result.Scores[i]:R},{p.Weak:R},{p.Strong:R}\n");
        }

        return sb.ToString();
    }

    /// <summary>The curve at evenly spaced shares, with the threshold that reaches at most that share.</summary>
    public static IEnumerable<(double Share, double Quality, double Pgr, double? Threshold)> Grid(RoutingCurve curve)
    {
        double gap = curve.StrongQuality - curve.WeakQuality;
        for (int i = 0; i < GridPoints; i++)
        {
            double share = (double)i / (GridPoints - 1);
            double quality = curve.QualityAt(share);
            double threshold = curve.ThresholdForShare(share).Threshold;
            yield return (share, quality, (quality - curve.WeakQuality) / gap, double.IsFinite(threshold) ? threshold : null);
        }
    }

    private static void WriteFigures(Utf8JsonWriter w, RoutingCurve curve)
    {
        w.WriteNumber("apgr", Round(curve.Apgr));
        w.WriteNumber("cpt50", Round(curve.CallPerformanceThreshold(0.5)));
        w.WriteNumber("cpt80", Round(curve.CallPerformanceThreshold(0.8)));
    }

    private static void WriteOperatingPoint(Utf8JsonWriter w, OperatingPoint point)
    {
        w.WriteStartObject("operating_point");
        w.WriteNumber("premium_share", Round(point.PremiumShare));
        WriteNumberOrNull(w, "pgr", point.Pgr);
        w.WriteNumber("quality", Round(point.Quality));
        w.WriteNumber("cost", point.Cost);
        w.WriteNumber("baseline_cost", point.BaselineCost);
        w.WriteString("baseline", point.Baseline);
        w.WriteNumber("savings", Round(point.Savings));
        if (point.DecidingStage is { } stage)
        {
            w.WriteString("deciding_stage", stage);
        }
        else
        {
            w.WriteNull("deciding_stage");
        }

        if (point.Threshold is { } threshold)
        {
            w.WriteNumber("threshold", threshold);
        }

        w.WriteStartObject("target_shares");
        foreach ((string target, double share) in point.TargetShares)
        {
            w.WriteNumber(target, Round(share));
        }

        w.WriteEndObject();
        w.WriteStartObject("decided_by");
        foreach ((string strategy, int count) in point.Strategies.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(strategy, count);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteFolds(Utf8JsonWriter w, IReadOnlyList<FoldFigures> folds)
    {
        w.WriteStartArray("folds");
        foreach (FoldFigures fold in folds)
        {
            w.WriteStartObject();
            w.WriteNumber("fold", fold.Fold);
            w.WriteNumber("prompts", fold.Prompts);
            WriteNumberOrNull(w, "apgr", fold.Apgr);
            WriteNumberOrNull(w, "cpt50", fold.Cpt50);
            w.WriteStartArray("groups");
            foreach (string group in fold.Groups)
            {
                w.WriteStringValue(group);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Round(value));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteIntervals(Utf8JsonWriter w, BootstrapIntervals intervals)
    {
        w.WriteStartObject("intervals");
        w.WriteNumber("level", intervals.Level);
        w.WriteString("unit", intervals.Unit);
        w.WriteNumber("units", intervals.Units);
        w.WriteNumber("resamples", intervals.Resamples);
        w.WriteNumber("skipped", intervals.Skipped);
        foreach ((string name, FigureInterval interval) in new[] { ("apgr", intervals.Apgr), ("cpt50", intervals.Cpt50), ("cpt80", intervals.Cpt80) })
        {
            w.WriteStartObject(name);
            w.WriteNumber("lower", Round(interval.Lower));
            w.WriteNumber("upper", Round(interval.Upper));
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static double Round(double value) => Math.Round(value, 6);

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
