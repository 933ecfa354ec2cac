using System.CommandLine;
using System.Globalization;
using LlmRouting.Cli.Data;
using LlmRouting.Analysis;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Commands;

/// <summary><c>llmroute calibrate</c>: the classifier threshold that sends a chosen share of requests to premium.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        Option<string[]> data = CommonOptions.Data();
        data.Description = "Prompts representative of your traffic (CSV or JSONL with a prompt column; outcome columns are not needed).";
        Option<string?> exclude = CommonOptions.Exclude();
        Option<string> promptColumn = CommonOptions.PromptColumn();
        var model = new Option<string?>("--model") { Description = "A model file trained with 'llmroute train', or 'shipped' for the shipped n-gram model; the library's default premium-need score when omitted." };
        var share = new Option<double>("--premium-share") { Description = "The share of requests to send to premium, in [0, 1].", Required = true };
        var command = new Command("calibrate", "Print the classifier threshold that sends --premium-share of the given prompts to the premium target.")
        {
            data, model, share, exclude, promptColumn,
        };
        command.SetAction(parse => CommonOptions.Run(parse, () => Run(
            parse.GetValue(data)!,
            parse.GetValue(model),
            parse.GetValue(share),
            parse.GetValue(exclude),
            parse.GetValue(promptColumn)!,
            parse.InvocationConfiguration.Output)));
        return command;
    }

    public static (double Threshold, double ActualShare) Run(IReadOnlyList<string> dataPaths, string? modelPath, double share, string? exclude, string promptColumn, TextWriter stdout)
    {
        if (share is < 0 or > 1 || double.IsNaN(share))
        {
            throw new CliException($"--premium-share must be in [0, 1] (was {share.ToString(CultureInfo.InvariantCulture)}).");
        }

        ClassifierModel? model = modelPath is null ? null
            : modelPath.Equals(Routers.Shipped, StringComparison.OrdinalIgnoreCase) ? Routers.LoadDefaultModel()
            : Routers.LoadModel(modelPath);
        LabelledDataset dataset = LabelledDataset.LoadPrompts(dataPaths, exclude, promptColumn);
        double[] scores = new double[dataset.Prompts.Count];
        Parallel.For(0, scores.Length, i => scores[i] = model is null
            ? dataset.Prompts[i].Analyze().PremiumNeed
            : model.Score(dataset.Prompts[i].Prompt));
        (double threshold, double actual) = ThresholdFor(scores, share);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Threshold {threshold:0.######} sends {actual:0.0%} of {scores.Length} prompts to premium (asked for {share:0.0%})."));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Configuration: \"LlmRouting\": {{ \"Classifier\": {{ {(modelPath is null ? string.Empty : model == ClassifierModel.Default ? "\"UseShippedModel\": true, " : $"\"ModelPath\": \"{modelPath}\", ")}\"Threshold\": {threshold:0.######} }} }}"));
        return (threshold, actual);
    }

    /// <summary>The threshold (premium when score ≥ threshold) sending the largest share not above <paramref name="share"/>; ties move together.</summary>
    internal static (double Threshold, double ActualShare) ThresholdFor(double[] scores, double share)
    {
        double[] sorted = [.. scores.OrderDescending()];
        int n = sorted.Length;
        int allowed = (int)Math.Floor((share * n) + 1e-9);
        if (allowed >= n)
        {
            return (sorted[^1], 1);
        }

        // Walk back from the allowed count to a tie boundary: every prompt scoring ≥ threshold goes to premium.
        int k = allowed;
        while (k > 0 && sorted[k - 1] == sorted[k])
        {
            k--;
        }

        double threshold = k == 0 ? Math.BitIncrement(sorted[0]) : sorted[k - 1];
        return (threshold, (double)k / n);
    }
}
