using System.CommandLine;
using System.Globalization;
using System.Text;
using LlmRouting.Analysis;
using LlmRouting.Audits;
using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;
using LlmRouting.Cli.Output;
using LlmRouting.Learning;
using LlmRouting.Strategies;
using LlmRouting.Statistics;

namespace LlmRouting.Cli.Commands;

/// <summary>
/// <c>llmroute simulate</c>: a seeded stream of labelled prompts through the live adaptive router, a share of them
/// audited; each audit verdict is a label for the online learner. Reports the live router's APGR on held-out prompts after
/// each window, next to the default score's.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        Option<string[]> data = CommonOptions.Data();
        Option<string> strong = CommonOptions.Strong();
        Option<string> weak = CommonOptions.Weak();
        Option<string?> exclude = CommonOptions.Exclude();
        Option<string> promptColumn = CommonOptions.PromptColumn();
        Option<string?> groupColumn = CommonOptions.GroupColumn();
        var seed = new Option<int>("--seed") { Description = "Random seed of the stream order and the audit sample (repeat r uses seed + r).", DefaultValueFactory = _ => 1 };
        var auditRate = new Option<double>("--audit-rate") { Description = "Share of requests audited, in (0, 1].", DefaultValueFactory = _ => 0.05 };
        var windows = new Option<int>("--windows") { Description = "Windows the stream is cut into for the curve.", DefaultValueFactory = _ => 10 };
        var repeats = new Option<int>("--repeats") { Description = "Streams simulated (different orders); the curve is their mean.", DefaultValueFactory = _ => 5 };
        var retrainEvery = new Option<int>("--retrain-every") { Description = "Audit labels between two retrainings of the live model from the label store.", DefaultValueFactory = _ => 50 };
        var offline = new Option<double?>("--offline-apgr") { Description = "The offline adaptive figure drawn for reference (llmroute eval --router adaptive --folds 5 --split prompt)." };
        var length = new Option<int>("--length") { Description = "Requests in the stream, drawn with replacement from the prompts not held out; 0 streams each of them once.", DefaultValueFactory = _ => 0 };
        var task = new Option<string>("--task")
        {
            Description = "'group' (the default): the application names each request's topic (its file name, or its --group-column value) in the task metadata, so labels and the held-out prompts carry it; 'none': it names none, so each label's task is the analyzer's task type and the held-out prompts are scored from their text alone.",
            DefaultValueFactory = _ => "group",
        };
        var output = new Option<string?>("--out") { Description = "A folder for learning-curve.csv and learning-curve.svg." };
        var command = new Command("simulate", "Stream labelled prompts through the live adaptive router with audits on a share of traffic; print the APGR per window.")
        {
            data, strong, weak, exclude, promptColumn, seed, auditRate, windows, repeats, retrainEvery, offline, length, output, groupColumn, task,
        };
        command.SetAction(parse => CommonOptions.Run(parse, () => Run(
            parse.GetValue(data)!, parse.GetValue(strong)!, parse.GetValue(weak)!, parse.GetValue(exclude), parse.GetValue(promptColumn)!,
            parse.GetValue(seed), parse.GetValue(auditRate), parse.GetValue(windows), parse.GetValue(repeats), parse.GetValue(retrainEvery),
            parse.GetValue(offline), parse.GetValue(output), parse.InvocationConfiguration.Output, parse.GetValue(length), parse.GetValue(groupColumn), parse.GetValue(task)!)));
        return command;
    }

    public static IReadOnlyList<LearningWindow> Run(
        IReadOnlyList<string> dataPaths, string strong, string weak, string? exclude, string promptColumn, int seed, double auditRate,
        int windows, int repeats, int retrainEvery, double? offlineApgr, string? output, TextWriter stdout, int length = 0, string? groupColumn = null, string task = "group")
    {
        bool taskFromGroup = CommonOptions.TaskFromGroup(task);
        if (auditRate is <= 0 or > 1 || windows < 2 || repeats < 1 || retrainEvery < 1 || length < 0)
        {
            throw new CliException("--audit-rate must be in (0, 1], --windows at least 2, --repeats and --retrain-every at least 1, --length not negative.");
        }

        LabelledDataset dataset = LabelledDataset.Load(dataPaths, strong, weak, exclude, promptColumn, groupColumn);
        if (dataset.Prompts.Count < windows * 20)
        {
            throw new CliException($"{dataset.Prompts.Count} prompts are too few for {windows} windows (at least 20 per window).");
        }

        stdout.WriteLine($"Loaded {dataset.Prompts.Count} prompts; {repeats} stream(s), audits on {auditRate:0.#%} of requests, {windows} windows; {(taskFromGroup ? "each request's group as its task" : "no task: the analyzer's task type, the text alone")}.");
        var sums = new LearningWindow[windows + 1];
        for (int r = 0; r < repeats; r++)
        {
            LearningWindow[] run = Stream(dataset.Prompts, seed + r, auditRate, windows, retrainEvery, length, taskFromGroup);
            for (int w = 0; w <= windows; w++)
            {
                sums[w] = r == 0 ? run[w] : sums[w] with { Labels = sums[w].Labels + run[w].Labels, Live = sums[w].Live + run[w].Live, Default = sums[w].Default + run[w].Default };
            }
        }

        LearningWindow[] mean = [.. sums.Select(s => s with { Labels = s.Labels / repeats, Live = s.Live / repeats, Default = s.Default / repeats })];
        stdout.WriteLine("window  prompts streamed  audit labels  live APGR  default APGR  (on the held-out fifth)");
        foreach (LearningWindow w in mean)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w.Index,6}  {w.Prompts,16}  {w.Labels,12:0}  {w.Live,9:0.0000}  {w.Default,12:0.0000}"));
        }

        if (output is not null)
        {
            Directory.CreateDirectory(output);
            var csv = new StringBuilder("window,prompts_streamed,labels,live_apgr,default_apgr\n");
            foreach (LearningWindow w in mean)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{w.Index},{w.Prompts},{w.Labels:0.0},{w.Live:0.0000},{w.Default:0.0000}\n");
            }

            File.WriteAllText(Path.Combine(output, "learning-curve.csv"), csv.ToString());
            File.WriteAllText(Path.Combine(output, "learning-curve.svg"), LearningCurveSvg.Render(mean, offlineApgr, auditRate, repeats));
            stdout.WriteLine($"Wrote learning-curve.csv and learning-curve.svg to '{output}'.");
        }

        return mean;
    }

    /// <summary>
    /// One stream: a fifth of the prompts (seeded) is held out to measure the router; the rest streams through it, each
    /// audited prompt's verdict becoming a label. After each window the live model is measured on the held-out prompts,
    /// each with its topic as the task, as the app tags it (a topic without labels yet keeps the calibrated prior), or with
    /// <c>--task none</c> from its text alone. Window 0 is before any label, i.e. the default score.
    /// </summary>
    private static LearningWindow[] Stream(IReadOnlyList<LabelledPrompt> all, int seed, double auditRate, int windows, int retrainEvery, int length, bool taskFromGroup)
    {
        var random = new Random(seed);
        LabelledPrompt[] shuffled = [.. all];
        random.Shuffle(shuffled);
        LabelledPrompt[] held = shuffled[..(shuffled.Length / 5)], pool = shuffled[(shuffled.Length / 5)..];
        LabelledPrompt[] prompts = length == 0 ? pool : [.. Enumerable.Range(0, length).Select(_ => pool[random.Next(pool.Length)])];
        double[] heldPrior = [.. held.Select(p => p.Analyze().PremiumNeed)];
        double[] heldWeak = [.. held.Select(p => p.Weak)], heldStrong = [.. held.Select(p => p.Strong)];
        double defaultApgr = RoutingCurve.Compute(heldPrior, heldWeak, heldStrong).Apgr;
        var strategy = new AdaptiveRoutingStrategy();
        var store = new InMemoryRoutingLabelStore();
        // The app tags each request with its topic (the "task" metadata, here the group) or with nothing: one region per task the labels name.
        var training = new AdaptiveTrainingOptions { Seed = seed, GroupRegions = true };
        using var learner = new AdaptiveLearner(strategy, new InMemoryRoutingStatisticsStore(), store, new AdaptiveLearningOptions { RefreshEvery = 10, RefreshInterval = TimeSpan.Zero, Training = training });
        var labels = new RoutingLabels(store, [learner]);
        double Measure() => RoutingCurve.Compute([.. held.Select((p, i) => strategy.Model.Score(p.Prompt, heldPrior[i], CallerTask(p, taskFromGroup)))], heldWeak, heldStrong).Apgr;

        var result = new LearningWindow[windows + 1];
        result[0] = new LearningWindow(0, 0, 0, Measure(), defaultApgr);
        int count = 0;
        for (int w = 0; w < windows; w++)
        {
            int start = w * prompts.Length / windows, end = (w + 1) * prompts.Length / windows;
            for (int i = start; i < end; i++)
            {
                LabelledPrompt p = prompts[i];
                if (random.NextDouble() >= auditRate)
                {
                    continue;
                }

                // The audit: the reference (strong) answer against the served (weak) one, as a judge with the outcomes would see it.
                AuditVerdict verdict = p.Strong > p.Weak ? AuditVerdict.ReferenceBetter : p.Strong < p.Weak ? AuditVerdict.ServedBetter : AuditVerdict.Tie;
                RequestAnalysis analysis = p.Analyze();
                var label = new RoutingLabel($"sim-{i}", DateTimeOffset.UnixEpoch, RoutingLabelSource.Audit, "economy", QualityTier.Economy, LabelTask(p, taskFromGroup, analysis), analysis.PremiumNeed,
                    QualityAuditor.PremiumNeed(verdict), null, RoutingLabelFeatures.FromText(p.Prompt, training.Dimensions), RoutingLabels.Fingerprint(p.Prompt));
                labels.RecordAsync(label).AsTask().GetAwaiter().GetResult();
                if (++count % retrainEvery == 0)
                {
                    learner.RetrainAsync().AsTask().GetAwaiter().GetResult();
                }
            }

            result[w + 1] = new LearningWindow(w + 1, end, count, Measure(), defaultApgr);
        }

        return result;
    }

    /// <summary>The task metadata the application sends with a request: its group with <c>--task group</c>, none otherwise.</summary>
    internal static string? CallerTask(LabelledPrompt prompt, bool taskFromGroup) => taskFromGroup ? prompt.Group : null;

    /// <summary>The task an audit label of the request records: the caller's task (the group as given), else the analyzer's task type named as <see cref="RoutingLabels"/> names it.</summary>
    internal static string LabelTask(LabelledPrompt prompt, bool taskFromGroup, RequestAnalysis analysis) =>
        CallerTask(prompt, taskFromGroup) ?? DefaultRouteContextSelector.TaskName(analysis.Task);
}

/// <summary>The state after a window of the stream: prompts streamed and audit labels so far, and the APGR of the live router and of the default score on the held-out prompts.</summary>
internal sealed record LearningWindow(int Index, int Prompts, double Labels, double Live, double Default);
