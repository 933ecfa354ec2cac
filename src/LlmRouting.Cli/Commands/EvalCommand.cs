using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;
using LlmRouting.Cli.Output;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Commands;

/// <summary><c>llmroute eval</c>: scores labelled prompts with a router and reports RouteLLM's figures and curves.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        Option<string[]> data = CommonOptions.Data();
        Option<string> strong = CommonOptions.Strong();
        Option<string> weak = CommonOptions.Weak();
        Option<string?> exclude = CommonOptions.Exclude();
        Option<string> promptColumn = CommonOptions.PromptColumn();
        Option<string?> groupColumn = CommonOptions.GroupColumn();
        var router = new Option<string>("--router") { Description = "default (the library's zero-shot premium-need score), adaptive (the default score shifted per region by labels; needs --folds), classifier (the shipped n-gram model), embedding (kNN over --train-data), meai-semantic (MEAI's SemanticRoutingChatClient rule, premium profile from --train-data), random, length, or a model file path.", DefaultValueFactory = _ => Routers.Default };
        var output = new Option<string>("--out") { Description = "The folder for summary.json, curve.csv, scores.csv and curve.svg.", DefaultValueFactory = _ => "llmroute-eval" };
        var trainData = new Option<string[]>("--train-data") { Description = "Labelled prompts the embedding router searches (files or folders; --exclude applies too).", AllowMultipleArgumentsPerToken = true };
        var k = new Option<int>("--k") { Description = "Neighbours for the embedding router.", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random router, of fold assignment and of training.", DefaultValueFactory = _ => 1 };
        var folds = new Option<int>("--folds") { Description = "Split by group: the classifier (trained afresh) and embedding routers learn from the other folds' groups (files, or --group-column values) and score each held-out fold; 0 = no split.", DefaultValueFactory = _ => 0 };
        var bootstrap = new Option<int>("--bootstrap") { Description = $"Resamples for the 95 % intervals of the router's figures (whole groups are resampled when there are two or more); 0 = no intervals, else at least {BootstrapIntervals.MinimumResamples}.", DefaultValueFactory = _ => 1000 };
        var confidence = new Option<double>("--confidence") { Description = "The confidence level of the intervals.", DefaultValueFactory = _ => 0.95 };
        var split = new Option<string>("--split") { Description = "With --folds: 'group' holds out whole groups (files, or --group-column values: unseen subjects); 'prompt' holds out random prompts (in-distribution: every file is in training).", DefaultValueFactory = _ => "group" };
        var config = new Option<string?>("--config") { Description = "Evaluate the router an appsettings.json configures (its LlmRouting section, built as AddLlmRouter builds it); needs --target for every target." };
        var targets = new Option<string[]>("--target") { Description = "With --config: <target>=<column>, the outcome column that answers for a target (repeat for each target).", AllowMultipleArgumentsPerToken = true };
        var outputTokens = new Option<int>("--output-tokens") { Description = "With --config: output tokens each simulated answer reports, for cost.", DefaultValueFactory = _ => 1 };
        var task = new Option<string>("--task") { Description = "With the adaptive router or --config: 'group' sends each prompt's group (its file name, or its --group-column value) as the caller's task metadata, as an application that names its requests' topics (the adaptive router: a topic the labels named takes its region, one they never named keeps the calibrated prior); 'none' routes the text alone.", DefaultValueFactory = _ => "none" };
        var margin = new Option<double>("--margin") { Description = "With --folds: premium is needed when strong − weak > margin.", DefaultValueFactory = _ => 0 };
        var command = new Command("eval", "Score labelled prompts with a router; report APGR, CPT(50%), CPT(80%) against random and oracle; write summary.json, curve.csv, scores.csv, curve.svg.")
        {
            data, strong, weak, router, output, exclude, trainData, k, seed, folds, margin, promptColumn, bootstrap, confidence, split, config, targets, outputTokens, task, groupColumn,
        };
        command.SetAction(parse => CommonOptions.Run(parse, () =>
        {
            string strongColumn = parse.GetValue(strong)!;
            string weakColumn = parse.GetValue(weak)!;
            string? excludeFile = parse.GetValue(exclude);
            string column = parse.GetValue(promptColumn)!;
            string? groups = parse.GetValue(groupColumn);
            return Run(
                parse.GetValue(data)!,
                strongColumn,
                weakColumn,
                parse.GetValue(router)!,
                parse.GetValue(output)!,
                excludeFile,
                column,
                parse.GetValue(trainData) is { Length: > 0 } train ? () => LabelledDataset.Load(train, strongColumn, weakColumn, excludeFile, column).Prompts : () => null,
                parse.GetValue(k),
                parse.GetValue(seed),
                parse.InvocationConfiguration.Output,
                folds: parse.GetValue(folds),
                margin: parse.GetValue(margin),
                bootstrap: parse.GetValue(bootstrap),
                confidence: parse.GetValue(confidence),
                split: parse.GetValue(split)!,
                config: parse.GetValue(config),
                targets: parse.GetValue(targets) ?? [],
                outputTokens: parse.GetValue(outputTokens),
                task: parse.GetValue(task)!,
                routerGiven: parse.GetResult(router) is { Implicit: false },
                groupColumn: groups);
        }));
        return command;
    }

    public static EvaluationResult Run(
        IReadOnlyList<string> dataPaths,
        string strong,
        string weak,
        string router,
        string outputDirectory,
        string? exclude,
        string promptColumn,
        Func<IReadOnlyList<LabelledPrompt>?> trainingData,
        int k,
        int seed,
        TextWriter stdout,
        bool? interactive = null,
        int folds = 0,
        double margin = 0,
        int bootstrap = 0,
        double confidence = 0.95,
        string split = "group",
        string? config = null,
        IReadOnlyList<string>? targets = null,
        int outputTokens = 1,
        string task = "none",
        bool routerGiven = false,
        string? groupColumn = null)
    {
        bool taskFromGroup = CommonOptions.TaskFromGroup(task);

        if (config is not null)
        {
            if (routerGiven)
            {
                throw new CliException("--router and --config exclude each other: --config evaluates the router the configuration builds.");
            }

            if (folds != 0)
            {
                throw new CliException("--folds does not apply to --config: a configured router learns nothing from the evaluated data.");
            }

            return RunConfigured(dataPaths, strong, weak, outputDirectory, exclude, promptColumn, groupColumn, stdout, interactive, bootstrap, confidence, seed, config, targets ?? [], outputTokens, taskFromGroup);
        }

        if (targets is { Count: > 0 })
        {
            throw new CliException("--target needs --config: it maps the configuration's targets to outcome columns.");
        }

        bool byPrompt = split.ToLowerInvariant() switch
        {
            "group" => false,
            "prompt" => true,
            _ => throw new CliException($"--split must be 'group' or 'prompt' (was '{split}')."),
        };

        if (folds is < 0 or 1)
        {
            throw new CliException($"--folds must be 0 (no split) or at least 2 (was {folds}).");
        }

        BootstrapIntervals.Validate(bootstrap, confidence);

        var clock = Stopwatch.StartNew();
        LabelledDataset dataset = LabelledDataset.Load(dataPaths, strong, weak, exclude, promptColumn, groupColumn);
        stdout.WriteLine($"Loaded {dataset.Prompts.Count} prompts from {dataset.Files.Count} file(s){(dataset.Excluded > 0 ? $", {dataset.Excluded} excluded" : string.Empty)}.");
        double[] scores;
        string name;
        bool learns = router.Equals(Routers.Classifier, StringComparison.OrdinalIgnoreCase) || router.Equals(Routers.Embedding, StringComparison.OrdinalIgnoreCase) || router.Equals(Routers.MeaiSemantic, StringComparison.OrdinalIgnoreCase) || router.Equals(Routers.Adaptive, StringComparison.OrdinalIgnoreCase);
        if (folds > 0 && learns)
        {
            bool classifier = router.Equals(Routers.Classifier, StringComparison.OrdinalIgnoreCase);
            if (taskFromGroup && !router.Equals(Routers.Adaptive, StringComparison.OrdinalIgnoreCase))
            {
                throw TaskNeedsAdaptive(router);
            }

            name = $"{router.ToLowerInvariant()} ({folds}-fold by {(byPrompt ? "prompt" : "group")}{(taskFromGroup ? ", task = group" : string.Empty)})";
            using var progress = new ProgressBar($"Scoring ({name})", dataset.Prompts.Count, interactive: interactive);
            scores = GroupFolds.Score(
                dataset.Prompts,
                folds,
                seed,
                train => classifier
                    ? new ClassifierScorer(TrainCommand.Fit(train, margin, seed, stdout: null, validateByGroup: !byPrompt), name)
                    : router.Equals(Routers.Adaptive, StringComparison.OrdinalIgnoreCase)
                        ? new AdaptiveScorer(AdaptiveScorer.Fit(train, AdaptiveScorer.DefaultOptions(train, seed)), name) { TaskFromGroup = taskFromGroup }
                    : router.Equals(Routers.MeaiSemantic, StringComparison.OrdinalIgnoreCase)
                        ? new MeaiSemanticScorer(train, k)
                        : new EmbeddingScorer(train, k),
                progress,
                stdout,
                byPrompt);
        }
        else
        {
            if (folds > 0)
            {
                stdout.WriteLine($"The '{router}' router learns nothing from the data: --folds only reports its figures per fold.");
            }

            PromptScorer scorer = Routers.Create(router, trainingData, k, seed);
            if (taskFromGroup)
            {
                scorer = scorer is AdaptiveScorer adaptive
                    ? new AdaptiveScorer(adaptive.Model, $"{adaptive.Name} (task = group)") { TaskFromGroup = true }
                    : throw TaskNeedsAdaptive(router);
            }

            name = scorer.Name;
            using var progress = new ProgressBar($"Scoring ({scorer.Name})", dataset.Prompts.Count, interactive: interactive);
            scores = scorer.ScoreAll(dataset.Prompts, progress);
        }

        EvaluationResult result = EvaluationResult.Evaluate(name, scores, dataset.Prompts, bootstrap, confidence, seed);
        if (folds > 0 && !byPrompt)
        {
            result.Folds = FoldFigures.Compute(scores, dataset.Prompts, folds, seed);
        }
        ReportWriter.WriteAll(outputDirectory, result, dataset, strong, weak);
        PrintFigures(stdout, result);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote summary.json, curve.csv, scores.csv, curve.svg to '{outputDirectory}' in {clock.Elapsed.TotalSeconds:0.0} s."));
        return result;
    }

    private static EvaluationResult RunConfigured(
        IReadOnlyList<string> dataPaths,
        string strong,
        string weak,
        string outputDirectory,
        string? exclude,
        string promptColumn,
        string? groupColumn,
        TextWriter stdout,
        bool? interactive,
        int bootstrap,
        double confidence,
        int seed,
        string config,
        IReadOnlyList<string> targets,
        int outputTokens,
        bool taskFromGroup)
    {
        BootstrapIntervals.Validate(bootstrap, confidence);
        Dictionary<string, string> mappings = ConfiguredRouterEvaluation.ParseTargets(targets);
        if (mappings.Count == 0)
        {
            throw new CliException("--config needs a --target <target>=<column> for every target of the configuration.");
        }

        var clock = Stopwatch.StartNew();
        LabelledDataset dataset = LabelledDataset.Load(dataPaths, strong, weak, exclude, promptColumn, groupColumn);
        stdout.WriteLine($"Loaded {dataset.Prompts.Count} prompts from {dataset.Files.Count} file(s){(dataset.Excluded > 0 ? $", {dataset.Excluded} excluded" : string.Empty)}.");
        double[] scores;
        string name;
        OperatingPoint point;
        using (var progress = new ProgressBar($"Routing ({Path.GetFileName(config)})", dataset.Prompts.Count, interactive: interactive))
        {
            (scores, name, point) = ConfiguredRouterEvaluation.Run(config, mappings, dataset, strong, weak, outputTokens, progress, taskFromGroup);
        }

        EvaluationResult result = EvaluationResult.Evaluate(name, scores, dataset.Prompts, bootstrap, confidence, seed);
        result.OperatingPoint = point;
        ReportWriter.WriteAll(outputDirectory, result, dataset, strong, weak);
        PrintFigures(stdout, result);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote summary.json, curve.csv, scores.csv, curve.svg to '{outputDirectory}' in {clock.Elapsed.TotalSeconds:0.0} s."));
        return result;
    }

    private static CliException TaskNeedsAdaptive(string router) => new($"--task group applies to the adaptive router only (was --router {router}).");

    public static void PrintFigures(TextWriter stdout, EvaluationResult result)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weak quality {result.Curve.WeakQuality:0.0000}, strong quality {result.Curve.StrongQuality:0.0000}"));
        int width = Math.Max(28, result.Router.Length);
        stdout.WriteLine($"{"router".PadRight(width)} {"APGR",8} {"CPT(50%)",9} {"CPT(80%)",9}");
        foreach ((string name, RoutingCurve? curve) in new[] { (result.Router, result.Curve), ("random (expected)", result.Random), ("group oracle", result.GroupOracle), ("oracle", result.Oracle) })
        {
            if (curve is null)
            {
                continue;
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name.PadRight(width)} {curve.Apgr,8:0.0000} {curve.CallPerformanceThreshold(0.5),9:0.00%} {curve.CallPerformanceThreshold(0.8),9:0.00%}"));
        }

        if (result.OperatingPoint is { } op)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"operating point: premium share {op.PremiumShare:0.00%}, quality {op.Quality:0.0000}, PGR {op.Pgr:0.0000}, cost {op.Cost:0.######} vs {op.BaselineCost:0.######} all to '{op.Baseline}' (savings {op.Savings:0.00%})"));
            stdout.WriteLine($"  served: {string.Join(", ", op.TargetShares.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:0.0%}")))}; decided by: {string.Join(", ", op.Strategies.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value}"))}");
            stdout.WriteLine(op.Threshold is { } t
                ? string.Create(CultureInfo.InvariantCulture, $"  the curve sweeps the deciding stage '{op.DecidingStage}' (configured threshold {t:0.###})")
                : $"  the curve {(result.Router.EndsWith("sweep)", StringComparison.Ordinal) ? $"sweeps the deciding stage '{op.DecidingStage}' score" : "is the operating point's own (no threshold to sweep)")}");
        }

        if (result.Folds is { } folds)
        {
            foreach (FoldFigures fold in folds)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fold {fold.Fold}: {fold.Groups.Count} groups, {fold.Prompts} prompts, APGR {fold.Apgr:0.0000}, CPT(50%) {fold.Cpt50:0.00%}"));
            }

            double worst = folds.Where(f => double.IsFinite(f.Apgr)).Select(f => f.Apgr).DefaultIfEmpty(double.NaN).Min();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst fold APGR {worst:0.0000}"));
        }

        if (result.Intervals is { } i)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i.Level:0.#%} interval over {i.Resamples} resamples of {i.Units} {i.Unit}s{(i.Skipped > 0 ? $" ({i.Skipped} skipped: equal qualities)" : string.Empty)}: APGR {i.Apgr.Lower:0.000}–{i.Apgr.Upper:0.000}, CPT(50%) {i.Cpt50.Lower:0.0%}–{i.Cpt50.Upper:0.0%}, CPT(80%) {i.Cpt80.Lower:0.0%}–{i.Cpt80.Upper:0.0%}"));
        }
    }
}
