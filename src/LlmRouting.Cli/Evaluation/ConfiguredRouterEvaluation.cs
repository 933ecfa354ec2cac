using LlmRouting.Cli.Data;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Statistics;
using LlmRouting.Strategies;

namespace LlmRouting.Cli.Evaluation;

/// <summary>
/// Evaluates a router exactly as an application configures it: built by <c>AddLlmRouter</c> from an appsettings file, every
/// target's client replaced by one that answers with that target's recorded outcomes, every prompt routed.
/// </summary>
internal static class ConfiguredRouterEvaluation
{
    /// <summary>The strategy name a decision carries when no strategy decided and the default target served.</summary>
    private const string DefaultStrategy = "default";

    /// <summary>Parses <c>name=column</c> mappings.</summary>
    /// <param name="mappings">The <c>--target</c> values.</param>
    /// <returns>Column by target name (case-insensitive).</returns>
    /// <exception cref="CliException">A mapping is malformed or a target is mapped twice.</exception>
    public static Dictionary<string, string> ParseTargets(IReadOnlyList<string> mappings)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string mapping in mappings)
        {
            int eq = mapping.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == mapping.Length - 1)
            {
                throw new CliException($"--target '{mapping}' must be <target>=<column>, e.g. --target premium=gpt-4-1106-preview.");
            }

            string name = mapping[..eq].Trim();
            if (!result.TryAdd(name, mapping[(eq + 1)..].Trim()))
            {
                throw new CliException($"--target maps '{name}' twice.");
            }
        }

        return result;
    }

    /// <summary>Builds the configured router, routes every prompt, and returns the operating point and the deciding stage's threshold sweep.</summary>
    /// <param name="configPath">The appsettings file (its <c>LlmRouting</c> section configures the router).</param>
    /// <param name="mappings">Column by target name.</param>
    /// <param name="dataset">The labelled prompts.</param>
    /// <param name="strong">The strong column.</param>
    /// <param name="weak">The weak column.</param>
    /// <param name="outputTokens">The output tokens each simulated answer reports (for cost).</param>
    /// <param name="progress">The progress bar, if any.</param>
    /// <param name="taskFromGroup">Whether each prompt's group (its file) is sent as the caller's <c>task</c> metadata (<c>--task group</c>), as an application that names its requests' topics would.</param>
    /// <returns>The router's sweep (or its operating point's own curve) with the operating point.</returns>
    /// <exception cref="CliException">The file is missing or invalid, a mapping names an unknown target or column, a target is not mapped, or the configuration is invalid.</exception>
    public static (double[] Scores, string Name, OperatingPoint Point) Run(
        string configPath,
        IReadOnlyDictionary<string, string> mappings,
        LabelledDataset dataset,
        string strong,
        string weak,
        int outputTokens,
        ProgressBar? progress,
        bool taskFromGroup)
    {
        if (!File.Exists(configPath))
        {
            throw new CliException($"Configuration file '{configPath}' does not exist.");
        }

        if (outputTokens < 0)
        {
            throw new CliException($"--output-tokens must not be negative (was {outputTokens}).");
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false).Build();
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"Configuration file '{configPath}' is not valid JSON: {e.Message}", e);
        }

        var declared = new LlmRoutingOptions();
        configuration.GetSection(LlmRoutingOptions.SectionName).Bind(declared);
        if (declared.Targets.Count == 0)
        {
            throw new CliException($"Configuration file '{configPath}' declares no targets under {LlmRoutingOptions.SectionName}:Targets.");
        }

        string known = string.Join(", ", declared.Targets.Select(t => t.Name));
        foreach ((string name, string column) in mappings)
        {
            if (declared.FindTarget(name) is null)
            {
                throw new CliException($"--target '{name}' is not a target of '{configPath}' (targets: {known}).");
            }

            if (!string.Equals(column, strong, StringComparison.Ordinal) && !string.Equals(column, weak, StringComparison.Ordinal))
            {
                throw new CliException($"--target {name}={column}: column '{column}' is not evaluated; map each target to the --strong column '{strong}' or the --weak column '{weak}'.");
            }
        }

        foreach (TargetOptions target in declared.Targets)
        {
            if (!mappings.ContainsKey(target.Name))
            {
                throw new CliException($"Target '{target.Name}' of '{configPath}' has no --target mapping: add --target {target.Name}=<column> (targets: {known}).");
            }
        }

        string? strongTarget = declared.Targets.FirstOrDefault(t => string.Equals(mappings[t.Name], strong, StringComparison.Ordinal))?.Name;
        string? weakTarget = declared.Targets.FirstOrDefault(t => string.Equals(mappings[t.Name], weak, StringComparison.Ordinal))?.Name;
        if (strongTarget is null || weakTarget is null)
        {
            throw new CliException($"Map at least one target to --strong '{strong}' and one to --weak '{weak}' (mapped: {string.Join(", ", mappings.Select(m => $"{m.Key}={m.Value}"))}).");
        }

        IReadOnlyList<LabelledPrompt> prompts = dataset.Prompts;
        double[] strongOutcomes = [.. prompts.Select(p => p.Strong)];
        double[] weakOutcomes = [.. prompts.Select(p => p.Weak)];
        int[] inputTokens = [.. prompts.Select(p => new RoutingRequest(p.Messages()).EstimatedInputTokens)];

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        foreach (TargetOptions target in declared.Targets)
        {
            double[] outcomes = string.Equals(mappings[target.Name], strong, StringComparison.Ordinal) ? strongOutcomes : weakOutcomes;
            services.AddKeyedSingleton<IChatClient>(target.ClientKey ?? target.Name, new SimulatedTargetClient(target.Name, outcomes, inputTokens, outputTokens));
        }

        services.AddLlmRouter(_ => { });
        using ServiceProvider provider = services.BuildServiceProvider();
        LlmRouterChatClient router;
        try
        {
            router = provider.GetRequiredService<LlmRouterChatClient>();
        }
        catch (OptionsValidationException e)
        {
            throw new CliException($"The configuration in '{configPath}' is invalid: {string.Join(" ", e.Failures)}", e);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"The configuration in '{configPath}' is invalid: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException($"The configuration in '{configPath}' names a missing file: {e.Message}", e);
        }

        var served = new string[prompts.Count];
        var deciders = new string[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            ChatOptions options = Options(prompts[i], taskFromGroup);
            options.AdditionalProperties![SimulatedTargetClient.PromptIndexKey] = i;
            ChatResponse response = router.GetResponseAsync(prompts[i].Messages(), options).GetAwaiter().GetResult();
            RouteInfo route = response.GetRouteInfo() ?? throw new InvalidOperationException("The router returned no route information.");
            served[i] = route.Target;
            deciders[i] = route.Strategy;
            progress?.Increment();
        }

        return Summarise(router, declared, mappings, prompts, served, deciders, inputTokens, outputTokens, strong, strongTarget, taskFromGroup);
    }

    /// <summary>The options a prompt is sent with: its group as the <c>task</c> metadata when the evaluation names tasks.</summary>
    private static ChatOptions Options(LabelledPrompt prompt, bool taskFromGroup) =>
        new() { AdditionalProperties = taskFromGroup ? new() { [DefaultRouteContextSelector.TaskMetadataKey] = prompt.Group } : [] };

    private static (double[] Scores, string Name, OperatingPoint Point) Summarise(
        LlmRouterChatClient router,
        LlmRoutingOptions declared,
        IReadOnlyDictionary<string, string> mappings,
        IReadOnlyList<LabelledPrompt> prompts,
        string[] served,
        string[] deciders,
        int[] inputTokens,
        int outputTokens,
        string strong,
        string strongTarget,
        bool taskFromGroup)
    {
        int n = prompts.Count;
        double quality = 0, weakQuality = 0, strongQuality = 0;
        decimal cost = 0, baselineCost = 0;
        string baseline = declared.Baseline ?? strongTarget;
        TargetOptions baselineTarget = declared.FindTarget(baseline)!;
        var shares = declared.Targets.ToDictionary(t => t.Name, _ => 0.0, StringComparer.OrdinalIgnoreCase);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        int premium = 0;
        double[] routed = new double[n];
        for (int i = 0; i < n; i++)
        {
            TargetOptions target = declared.FindTarget(served[i])!;
            bool isStrong = string.Equals(mappings[target.Name], strong, StringComparison.Ordinal);
            quality += isStrong ? prompts[i].Strong : prompts[i].Weak;
            weakQuality += prompts[i].Weak;
            strongQuality += prompts[i].Strong;
            cost += Price(target, inputTokens[i], outputTokens);
            baselineCost += Price(baselineTarget, inputTokens[i], outputTokens);
            shares[target.Name] += 1.0 / n;
            counts[deciders[i]] = counts.GetValueOrDefault(deciders[i]) + 1;
            premium += string.Equals(target.Name, strongTarget, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            routed[i] = isStrong ? 1 : 0;
        }

        quality /= n;
        double gap = (strongQuality - weakQuality) / n;
        double pgr = gap == 0 ? double.NaN : (quality - (weakQuality / n)) / gap;
        string? deciding = counts.Where(c => !string.Equals(c.Key, DefaultStrategy, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key).FirstOrDefault();
        (Func<RoutingRequest, double>? score, double? threshold) = deciding is null ? (null, null) : Sweep(router.Strategies, deciding);
        var point = new OperatingPoint((double)premium / n, quality, pgr, cost, baselineCost, baseline, shares, counts, deciding, threshold);
        if (score is null)
        {
            // No threshold to sweep: the curve through the operating point (its choices, ties broken at random on each side).
            return (routed, $"configured router ({deciding ?? "default target"})", point);
        }

        double[] scores = new double[n];
        Parallel.For(0, n, i => scores[i] = score(new RoutingRequest(prompts[i].Messages(), Options(prompts[i], taskFromGroup))));
        return (scores, $"configured router ({deciding} sweep)", point);
    }

    /// <summary>The deciding stage's score, to sweep its threshold: the classifier's score, the cost-aware difficulty or the adaptive score.</summary>
    private static (Func<RoutingRequest, double>? Score, double? Threshold) Sweep(IEnumerable<IRoutingStrategy> strategies, string name)
    {
        foreach (IRoutingStrategy strategy in strategies)
        {
            if (strategy is ConfiguredHybridStrategy hybrid)
            {
                if (Sweep(hybrid.Stages, name) is { Score: not null } found)
                {
                    return found;
                }

                continue;
            }

            if (!string.Equals(strategy.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            switch (strategy)
            {
                case ClassifierStrategy classifier:
                    ClassifierModel? model = classifier.Model;
                    double? threshold = classifier.Thresholds.Count == 2 ? classifier.Thresholds[0].MinScore : null;
                    return (model is null ? r => r.Analysis.PremiumNeed : r => model.Score(r.LastUserText), threshold);
                case CostAwareStrategy:
                    return (CostAwareStrategy.DefaultDifficulty, null);
                case AdaptiveRoutingStrategy adaptive:
                    return (adaptive.Score, adaptive.Threshold);
            }
        }

        return (null, null);
    }

    private static decimal Price(TargetOptions target, int input, int output)
    {
        TargetProfile profile = target.ToProfile();
        return ((input * profile.InputPricePerMillion) + (output * profile.OutputPricePerMillion)) / 1_000_000m;
    }
}
