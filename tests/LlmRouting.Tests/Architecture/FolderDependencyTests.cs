using System.Text.RegularExpressions;

namespace LlmRouting.Tests.Architecture;

/// <summary>
/// Folder dependencies of src/LlmRouting point one way, along the request's path: request → analysis → filtering →
/// strategies → execution → observers, with shared helpers below and the composition root above (docs/architecture.md,
/// "Folder dependencies"). A file may use (<c>using LlmRouting.X;</c>) a namespace of its own layer or a lower one.
/// </summary>
public partial class FolderDependencyTests
{
    /// <summary>The layer of each top-level folder of src/LlmRouting (and of its namespace <c>LlmRouting.Folder</c>), lowest first.</summary>
    internal static readonly Dictionary<string, (int Rank, string Layer)> Layers = new(StringComparer.Ordinal)
    {
        ["Configuration"] = (0, "shared"),
        ["Embeddings"] = (0, "shared"),
        ["Diagnostics"] = (0, "shared"),
        ["Targets"] = (0, "shared"),
        ["Catalog"] = (0, "shared"),
        ["Requests"] = (1, "request"),
        ["Analysis"] = (1, "request"),
        ["Filtering"] = (2, "filtering"),
        ["Strategies"] = (3, "strategies"),
        ["Execution"] = (4, "execution"),
        ["Resilience"] = (4, "execution"),
        ["Caching"] = (4, "execution"),
        ["Routing"] = (4, "execution"),
        ["Agents"] = (4, "execution"),
        ["Telemetry"] = (5, "observers"),
        ["Accounting"] = (5, "observers"),
        ["Learning"] = (5, "observers"),
        ["Audits"] = (5, "observers"),
        ["DependencyInjection"] = (6, "composition"),
        [""] = (6, "composition"),
    };

    /// <summary>
    /// Dependencies against the direction that are known and explained (file → namespace). The test also fails when one
    /// of these no longer occurs, so the list only shrinks.
    /// </summary>
    internal static readonly Dictionary<string, string> KnownExceptions = new(StringComparer.Ordinal)
    {
        // Costs and budgets: strategies and the caches price tokens with RoutingCost and read budget balances from
        // IBudgetStore, public types of LlmRouting.Accounting (moving them below strategies is a public namespace change).
        ["src/LlmRouting/Strategies/TierSelection.cs → Accounting"] = "RoutingCost",
        ["src/LlmRouting/Strategies/Judge/JudgeStrategy.cs → Accounting"] = "RoutingCost",
        ["src/LlmRouting/Strategies/CostAware/CostAwareOptions.cs → Accounting"] = "RoutingCost",
        ["src/LlmRouting/Strategies/CostAware/CostAwareStrategy.cs → Accounting"] = "IBudgetStore, BudgetBalance, RoutingCost",
        ["src/LlmRouting/Strategies/CostAware/BudgetExceededException.cs → Accounting"] = "BudgetBalance",
        ["src/LlmRouting/Strategies/CostAware/BudgetSpendObserver.cs → Accounting"] = "IBudgetStore",
        ["src/LlmRouting/Strategies/CostAware/CostAwareLlmRouterBuilderExtensions.cs → Accounting"] = "IBudgetStore, BudgetReservations",
        ["src/LlmRouting/Strategies/Hybrid/HybridRoutingLlmRouterBuilderExtensions.cs → Accounting"] = "IBudgetStore, BudgetReservations",
        ["src/LlmRouting/Caching/ExactCacheChatClient.cs → Accounting"] = "RoutingCost",
        ["src/LlmRouting/Caching/SemanticCacheChatClient.cs → Accounting"] = "RoutingCost",
        ["src/LlmRouting/Execution/RouteExecution.cs → Accounting"] = "RoutingCost",

        // Composition from configuration still lives in Configuration/: it names every strategy and the budget store.
        // It belongs with the composition root (DependencyInjection/); moving it is a follow-up.
        ["src/LlmRouting/Configuration/ConfiguredStrategies.cs → Strategies"] = "creates the strategies listed in LlmRouting:Strategies",
        ["src/LlmRouting/Configuration/ConfiguredStrategies.cs → Accounting"] = "IBudgetStore for configured budgets",
        ["src/LlmRouting/Configuration/LlmRoutingOptionsValidator.cs → Strategies"] = "builds RoutingRule/RuleStrategy to check configured rules",
        ["src/LlmRouting/Configuration/ConfiguredLoadOptions.cs → Strategies"] = "public options holding WeightedSplitOptions/ConsistentHashOptions",
        ["src/LlmRouting/Configuration/RuleOptions.cs → Analysis"] = "a rule's risk and task conditions (RiskLevel, TaskType)",

        // The request: RoutingRequest exposes rule helpers of Strategies; TextSignals keeps an unused using of Caching.
        // Both files are being extended by another change; clean them up with it.
        ["src/LlmRouting/Requests/RoutingRequest.cs → Strategies"] = "RoutingRule (named in a doc comment)",
        ["src/LlmRouting/Analysis/TextSignals.cs → Caching"] = "unused using",
        ["src/LlmRouting/Requests/RequestValidation.cs → Accounting"] = "RoutingLedgerSummary.NoTenant, the reserved tenant name",

        // Agents (#16): a conversation's target is shared through IRoutingStatisticsStore, a public type of LlmRouting.Learning;
        // rules read the request's StepKind, a public type of LlmRouting.Agents (moving it to the root is a public namespace change).
        ["src/LlmRouting/Agents/AgentLlmRouterBuilderExtensions.cs → Learning"] = "IRoutingStatisticsStore resolved for sharing",
        ["src/LlmRouting/Agents/AgentSessions.cs → Learning"] = "IRoutingStatisticsStore, InMemoryRoutingStatisticsStore",
        ["src/LlmRouting/Agents/SharedPins.cs → Learning"] = "IRoutingStatisticsStore, RoutingStatistic",
        ["src/LlmRouting/Configuration/RuleOptions.cs → Agents"] = "StepKind condition of a rule",
        ["src/LlmRouting/Strategies/Rules/RoutingRule.cs → Agents"] = "StepKind condition of a rule",
        ["src/LlmRouting/Strategies/Rules/RuleSetBuilder.cs → Agents"] = "WhenStep(StepKind)",

        // The bandit learns from the outcome store of LlmRouting.Learning (a strategy fed by an observer).
        ["src/LlmRouting/Strategies/Learning/BanditStrategy.cs → Learning"] = "IRouteOutcomeListener",
        ["src/LlmRouting/Strategies/Learning/BanditLlmRouterBuilderExtensions.cs → Learning"] = "RouteFeedback registration",
    };

    [GeneratedRegex(@"^using\s+LlmRouting\.(?<ns>[A-Za-z]+)(\.[A-Za-z.]+)?\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [Fact]
    public void EveryFolderHasALayer()
    {
        string[] unknown = Directory.EnumerateDirectories(Path.Combine(RepositorySources.Root, "src", "LlmRouting"))
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj") && !Layers.ContainsKey(name!))
            .ToArray()!;

        Assert.True(unknown.Length == 0, $"Give these folders a layer in {nameof(Layers)} (and docs/architecture.md): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void NoFileUsesANamespaceOfAHigherLayer()
    {
        List<string> found = Violations();
        string[] unexpected = found.Where(v => !KnownExceptions.ContainsKey(v)).ToArray();
        string[] stale = KnownExceptions.Keys.Where(k => !found.Contains(k)).ToArray();

        Assert.True(unexpected.Length == 0, "Against the direction (move the helper down, or invert through an interface the lower layer owns): " + string.Join("; ", unexpected));
        Assert.True(stale.Length == 0, $"No longer happens, remove from {nameof(KnownExceptions)}: " + string.Join("; ", stale));
    }

    [Fact]
    public void TheCheckSeesAViolation()
    {
        // Guards against a check that passes vacuously: a known exception is found by the same walk.
        Assert.Contains("src/LlmRouting/Execution/RouteExecution.cs → Accounting", Violations());
    }

    internal static List<string> Violations()
    {
        var violations = new List<string>();
        foreach (string path in RepositorySources.CSharpFiles(Path.Combine("src", "LlmRouting")))
        {
            string relative = RepositorySources.Relative(path);
            string[] parts = relative.Split('/');
            string folder = parts.Length > 3 ? parts[2] : string.Empty;
            int rank = Layers.TryGetValue(folder, out var layer) ? layer.Rank : int.MaxValue;
            foreach (Match match in UsingDirective().Matches(File.ReadAllText(path)))
            {
                string used = match.Groups["ns"].Value;
                if (used != folder && Layers.TryGetValue(used, out var target) && target.Rank > rank)
                {
                    violations.Add($"{relative} → {used}");
                }
            }
        }

        return violations;
    }
}
