using System.CommandLine;
using System.Globalization;
using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Commands;

/// <summary><c>llmroute train</c>: fits the classifier on labelled prompts and reports its held-out figures.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        Option<string[]> data = CommonOptions.Data();
        Option<string> strong = CommonOptions.Strong();
        Option<string> weak = CommonOptions.Weak();
        Option<string?> exclude = CommonOptions.Exclude();
        Option<string> promptColumn = CommonOptions.PromptColumn();
        Option<string?> groupColumn = CommonOptions.GroupColumn();
        var output = new Option<string>("--out") { Description = "The model file to write.", Required = true };
        var holdout = new Option<double>("--holdout") { Description = "Share held out to report APGR (whole files/groups when there are 3 or more); 0 trains on everything.", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Random seed (splits and SGD order).", DefaultValueFactory = _ => 42 };
        var margin = new Option<double>("--margin") { Description = "Premium is needed when strong − weak > margin (0 for True/False: weak wrong and strong right).", DefaultValueFactory = _ => 0 };
        var hashBits = new Option<int>("--hash-bits") { Description = "Hashed feature space size 2^bits.", DefaultValueFactory = _ => 15 };
        var epochs = new Option<int>("--epochs") { Description = "SGD passes.", DefaultValueFactory = _ => 8 };
        var description = new Option<string?>("--description") { Description = "A description stored in the model file." };
        var bootstrap = new Option<int>("--bootstrap") { Description = $"Resamples for the 95 % intervals of the held-out figures (whole held-out groups are resampled when there are two or more); 0 = no intervals, else at least {BootstrapIntervals.MinimumResamples}.", DefaultValueFactory = _ => 1000 };
        var router = new Option<string>("--router") { Description = "classifier (the n-gram model) or adaptive (the default score shifted per region of request space; one region per group — file, or --group-column value — when there are two or more).", DefaultValueFactory = _ => Routers.Classifier };
        var command = new Command("train", "Fit the classifier (premium needed = strong right and weak wrong, or score gap above --margin); print the held-out APGR; write a versioned model file.")
        {
            data, strong, weak, output, holdout, seed, exclude, margin, hashBits, epochs, description, promptColumn, bootstrap, router, groupColumn,
        };
        command.SetAction(parse => CommonOptions.Run(parse, () => Run(
            parse.GetValue(data)!,
            parse.GetValue(strong)!,
            parse.GetValue(weak)!,
            parse.GetValue(output)!,
            parse.GetValue(holdout),
            parse.GetValue(seed),
            parse.GetValue(exclude),
            parse.GetValue(margin),
            parse.GetValue(hashBits),
            parse.GetValue(epochs),
            parse.GetValue(description),
            parse.GetValue(promptColumn)!,
            parse.InvocationConfiguration.Output,
            parse.GetValue(bootstrap),
            parse.GetValue(router)!,
            parse.GetValue(groupColumn))));
        return command;
    }

    public static EvaluationResult? Run(
        IReadOnlyList<string> dataPaths,
        string strong,
        string weak,
        string output,
        double holdout,
        int seed,
        string? exclude,
        double margin,
        int hashBits,
        int epochs,
        string? description,
        string promptColumn,
        TextWriter stdout,
        int bootstrap = 0,
        string router = Routers.Classifier,
        string? groupColumn = null)
    {
        bool adaptive = router.ToLowerInvariant() switch
        {
            Routers.Classifier => false,
            Routers.Adaptive => true,
            _ => throw new CliException($"--router must be 'classifier' or 'adaptive' (was '{router}')."),
        };
        if (holdout is < 0 or >= 1)
        {
            throw new CliException($"--holdout must be in [0, 1) (was {holdout.ToString(CultureInfo.InvariantCulture)}).");
        }

        BootstrapIntervals.Validate(bootstrap, 0.95);

        LabelledDataset dataset = LabelledDataset.Load(dataPaths, strong, weak, exclude, promptColumn, groupColumn);
        stdout.WriteLine($"Loaded {dataset.Prompts.Count} prompts from {dataset.Files.Count} file(s){(dataset.Excluded > 0 ? $", {dataset.Excluded} excluded" : string.Empty)}.");
        (List<LabelledPrompt> train, List<LabelledPrompt> held, string[] heldGroups) = Split(dataset.Prompts, holdout, seed);
        if (heldGroups.Length > 0)
        {
            stdout.WriteLine($"Held out {held.Count} prompts in {heldGroups.Length} whole group(s): {string.Join(", ", heldGroups)}.");
        }
        else if (held.Count > 0)
        {
            stdout.WriteLine($"Held out {held.Count} random prompts.");
        }

        if (adaptive)
        {
            return RunAdaptive(dataset, train, held, output, seed, description, stdout, bootstrap);
        }

        var options = new ClassifierTrainingOptions { HashBits = hashBits, Epochs = epochs, Seed = seed, Description = description };
        options.Notes["data"] = string.Join(",", dataset.Files.Select(Path.GetFileName));
        options.Notes["label"] = string.Create(CultureInfo.InvariantCulture, $"strong '{strong}' - weak '{weak}' > {margin}");
        options.Notes["excluded"] = dataset.Excluded.ToString(CultureInfo.InvariantCulture);
        if (heldGroups.Length > 0)
        {
            options.Notes["holdout_groups"] = string.Join(",", heldGroups);
        }

        ClassifierModel model = Fit(train, margin, seed, stdout, options);

        EvaluationResult? result = null;
        if (held.Count > 0)
        {
            double[] scores = [.. held.Select(p => model.Score(p.Prompt))];
            result = EvaluationResult.Evaluate("classifier (held out)", scores, held, bootstrap, 0.95, seed);
            stdout.WriteLine("Held-out figures:");
            EvalCommand.PrintFigures(stdout, result);
            model = WithNote(model, result);
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        model.Save(output);
        stdout.WriteLine($"Wrote model to '{output}' ({new FileInfo(output).Length / 1024} KB, feature set {model.FeatureSet}).");
        return result;
    }

    /// <summary>Trains a classifier on labelled prompts with the default training options.</summary>
    /// <param name="prompts">The training prompts.</param>
    /// <param name="margin">Premium is needed when strong − weak exceeds it.</param>
    /// <param name="seed">The training seed.</param>
    /// <param name="stdout">Where training progress goes, if anywhere.</param>
    /// <param name="options">The training options; the defaults with <paramref name="seed"/> when <see langword="null"/>.</param>
    /// <param name="validateByGroup">Choose the regularisation on held-out whole groups (to generalise to unseen groups) rather than on random prompts (in-distribution).</param>
    /// <returns>The model.</returns>
    internal static ClassifierModel Fit(IReadOnlyList<LabelledPrompt> prompts, double margin, int seed, TextWriter? stdout, ClassifierTrainingOptions? options = null, bool validateByGroup = true)
    {
        options ??= new ClassifierTrainingOptions { Seed = seed };
        ClassifierTrainingExample[] examples = [.. prompts.Select(p => new ClassifierTrainingExample(p.Prompt, p.Strong - p.Weak > margin, validateByGroup ? p.Group : null))];
        try
        {
            return ClassifierTrainer.Train(examples, options, stdout is null ? null : new Progress(stdout));
        }
        catch (ArgumentException e)
        {
            throw new CliException($"Cannot train: {e.Message}", e);
        }
    }

    private static EvaluationResult? RunAdaptive(LabelledDataset dataset, List<LabelledPrompt> train, List<LabelledPrompt> held, string output, int seed, string? description, TextWriter stdout, int bootstrap)
    {
        AdaptiveTrainingOptions options = AdaptiveScorer.DefaultOptions(train, seed);
        options.Description = description;
        options.Notes["data"] = string.Join(",", dataset.Files.Select(Path.GetFileName));
        options.Notes["label"] = "(clamp(strong - weak, -1, 1) + 1) / 2";
        options.Notes["prompts"] = train.Count.ToString(CultureInfo.InvariantCulture);
        AdaptiveModel model = AdaptiveScorer.Fit(train, options);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fitted {model.Regions.Count} regions over {model.Labels:0} labels ({(options.GroupRegions ? "one per file" : "k-means")}), model {model.Version}."));
        if (model.Groups.Count > 0)
        {
            // The task metadata values the router will know: any other named task keeps the calibrated prior.
            stdout.WriteLine($"Known tasks (send one as the request's 'task' metadata; any other task keeps the calibrated prior): {string.Join(", ", model.Groups)}.");
        }
        EvaluationResult? result = null;
        if (held.Count > 0)
        {
            var scorer = new AdaptiveScorer(model, "adaptive (held out)");
            result = EvaluationResult.Evaluate(scorer.Name, scorer.ScoreAll(held, null), held, bootstrap, 0.95, seed);
            stdout.WriteLine("Held-out figures:");
            EvalCommand.PrintFigures(stdout, result);
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        AdaptiveModelFile.Save(model, output);
        stdout.WriteLine($"Wrote adaptive model to '{output}' ({new FileInfo(output).Length / 1024} KB, format {AdaptiveModelFile.FormatName} v{AdaptiveModelFile.FormatVersion}).");
        return result;
    }

    internal static (List<LabelledPrompt> Train, List<LabelledPrompt> Held, string[] HeldGroups) Split(IReadOnlyList<LabelledPrompt> prompts, double holdout, int seed)
    {
        bool[] held = GroupHoldout.Choose([.. prompts.Select(p => p.Group)], holdout, seed);
        bool byGroup = prompts.Select(p => p.Group).Distinct(StringComparer.Ordinal).Count() >= 3;
        return (
            [.. prompts.Where((_, i) => !held[i])],
            [.. prompts.Where((_, i) => held[i])],
            byGroup ? [.. prompts.Where((_, i) => held[i]).Select(p => p.Group).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : []);
    }

    private static ClassifierModel WithNote(ClassifierModel model, EvaluationResult result)
    {
        var notes = new Dictionary<string, string>
        {
            ["holdout_apgr"] = result.Curve.Apgr.ToString("0.0000", CultureInfo.InvariantCulture),
            ["holdout_cpt50"] = result.Curve.CallPerformanceThreshold(0.5).ToString("0.0000", CultureInfo.InvariantCulture),
            ["holdout_cpt80"] = result.Curve.CallPerformanceThreshold(0.8).ToString("0.0000", CultureInfo.InvariantCulture),
            ["holdout_prompts"] = result.Scores.Length.ToString(CultureInfo.InvariantCulture),
        };
        if (result.Intervals is { } i)
        {
            notes["holdout_apgr_95"] = string.Create(CultureInfo.InvariantCulture, $"{i.Apgr.Lower:0.0000}-{i.Apgr.Upper:0.0000} ({i.Resamples} resamples of {i.Units} {i.Unit}s)");
        }

        return model.WithTrainingNotes(notes);
    }

    private sealed class Progress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine($"  {value}");
    }
}
