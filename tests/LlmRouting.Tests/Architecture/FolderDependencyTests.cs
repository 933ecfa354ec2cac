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
        ["Embeddings"] = (0, "shared"),
        ["Diagnostics"] = (0, "shared"),
        ["Targets"] = (0, "shared"),
        ["Requests"] = (1, "request"),
        ["Analysis"] = (1, "request"),
        ["Configuration"] = (1, "request"), // options are written in the request's vocabulary (task, risk, step kind)
        ["Catalog"] = (1, "request"),
        ["Costs"] = (1, "request"), // prices and budget balances, read by strategies, caches and the execution
        ["Statistics"] = (1, "request"), // what learners share: statistics, contexts, the outcome listener
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
        (string Relative, string Text)[] files = [.. RepositorySources.CSharpFiles(Path.Combine("src", "LlmRouting")).Select(path => (RepositorySources.Relative(path), File.ReadAllText(path)))];
        List<string> found = Violations(files);

        Assert.True(files.Count(f => UsingDirective().IsMatch(f.Text)) > 100, "The walk found too few files using a namespace of the library: is it reading src/LlmRouting?");
        Assert.True(found.Count == 0, "Against the direction (move the helper down, or invert through an interface the lower layer owns): " + string.Join("; ", found));
    }

    [Fact]
    public void TheCheckSeesAViolation()
    {
        // Guards against a check that passes vacuously: the same walk finds a file that reaches up, in a folder or not,
        // and lets a file use its own layer, a lower one and namespaces that are not folders of the library.
        (string, string)[] files =
        [
            ("src/LlmRouting/Strategies/Costly.cs", "using LlmRouting.Accounting;\nusing LlmRouting.Costs;\nnamespace LlmRouting.Strategies;"),
            ("src/LlmRouting/Requests/Rule.cs", "using LlmRouting.Strategies.Rules;\nusing LlmRouting.Analysis;\nusing LlmRouting.Redis;"),
            ("src/LlmRouting/Caching/Cache.cs", "using LlmRouting.Execution;\nusing LlmRouting.Caching;"),
            ("src/LlmRouting/Root.cs", "using LlmRouting.Telemetry;"),
        ];

        Assert.Equal(["src/LlmRouting/Strategies/Costly.cs → Accounting", "src/LlmRouting/Requests/Rule.cs → Strategies"], Violations(files));
    }

    /// <summary>The uses against the direction in <paramref name="files"/> (path relative to the repository, text).</summary>
    internal static List<string> Violations(IEnumerable<(string Relative, string Text)> files)
    {
        var violations = new List<string>();
        foreach ((string relative, string text) in files)
        {
            string[] parts = relative.Split('/');
            string folder = parts.Length > 3 ? parts[2] : string.Empty;
            int rank = Layers.TryGetValue(folder, out var layer) ? layer.Rank : int.MaxValue;
            foreach (Match match in UsingDirective().Matches(text))
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
