using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using LlmRouting.Analysis;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>A compiled routing rule: a predicate over the request and the targets it routes to.</summary>
/// <remarks>Thread-safe and immutable. Build one from code with the constructor or from <see cref="RuleOptions"/>.</remarks>
public sealed class RoutingRule
{
    /// <summary>Initializes a new instance of the <see cref="RoutingRule"/> class.</summary>
    /// <param name="name">The rule's name.</param>
    /// <param name="predicate">The condition.</param>
    /// <param name="targets">The targets to route to, primary first.</param>
    /// <param name="description">A content-free description of the condition, used in the route reason.</param>
    public RoutingRule(string name, Func<RoutingRequest, bool> predicate, IReadOnlyList<string> targets, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            throw new ArgumentException($"Rule '{name}' routes to no target.", nameof(targets));
        }

        Name = name;
        Predicate = predicate;
        Targets = targets;
        Reason = Explain($"rule '{name}'", description);
    }

    /// <summary>Gets the rule's name.</summary>
    public string Name { get; }

    /// <summary>Gets the condition.</summary>
    public Func<RoutingRequest, bool> Predicate { get; }

    /// <summary>Gets the targets to route to, primary first.</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>Gets the reason recorded when the rule fires.</summary>
    public string Reason { get; }

    /// <summary>Compiles a rule from options.</summary>
    /// <param name="options">The rule options.</param>
    /// <param name="defaultName">The name to use when the options have none.</param>
    /// <returns>The compiled rule.</returns>
    /// <exception cref="ArgumentException">The rule has no target or no condition, or its regex does not compile.</exception>
    public static RoutingRule FromOptions(RuleOptions options, string defaultName)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FromOptions(options, defaultName, position: null);
    }

    /// <summary>Compiles the rule at <paramref name="position"/> (1-based) of a rule list: unnamed, it is called <c>rule-N</c> and explains itself as <c>rule #N (conditions)</c>.</summary>
    internal static RoutingRule FromOptions(RuleOptions options, int position) => FromOptions(options, $"rule-{position}", position);

    private static RoutingRule FromOptions(RuleOptions options, string defaultName, int? position)
    {
        bool unnamed = string.IsNullOrWhiteSpace(options.Name);
        string name = unnamed ? defaultName : options.Name!;
        if (string.IsNullOrWhiteSpace(options.Target))
        {
            throw new ArgumentException($"Rule '{name}' has no Target.", nameof(options));
        }

        if (!options.HasCondition)
        {
            throw new ArgumentException($"Rule '{name}' has no condition.", nameof(options));
        }

        var conditions = new List<Func<RoutingRequest, bool>>();
        var description = new StringBuilder();

        if (options.Predicate is { } predicate)
        {
            conditions.Add(predicate);
            Describe(description, "a code condition");
        }

        if (options.ContainsAny.Count > 0)
        {
            // One vectorised multi-string search for all terms, compiled once per rule.
            SearchValues<string> terms = SearchValues.Create([.. options.ContainsAny], StringComparison.OrdinalIgnoreCase);
            conditions.Add(r => r.ContainsAny(terms));
            Describe(description, $"contains any of {Terms(options.ContainsAny.Count)}");
        }

        if (options.ContainsAll.Count > 0)
        {
            string[] terms = [.. options.ContainsAll];
            conditions.Add(r => r.ContainsAll(terms));
            Describe(description, $"contains all of {Terms(terms.Length)}");
        }

        if (!string.IsNullOrEmpty(options.Regex))
        {
            Regex regex = CompileRegex(name, options.Regex, options.RegexTimeout);
            conditions.Add(r => r.Matches(regex));
            Describe(description, "matches a pattern");
        }

        foreach ((string key, string value) in options.Metadata)
        {
            conditions.Add(r => string.Equals(r.Metadata(key), value, StringComparison.OrdinalIgnoreCase));
            Describe(description, $"{key}={value}");
        }

        if (options.Tags.Count > 0)
        {
            string[] tags = [.. options.Tags];
            conditions.Add(r => HasAllTags(r, tags));
            Describe(description, $"tags={string.Join('+', tags)}");
        }

        if (options.MinTokens is { } minTokens)
        {
            conditions.Add(r => r.EstimatedInputTokens >= minTokens);
            Describe(description, $"tokens≥{minTokens}");
        }

        if (options.MaxTokens is { } maxTokens)
        {
            conditions.Add(r => r.EstimatedInputTokens <= maxTokens);
            Describe(description, $"tokens≤{maxTokens}");
        }

        if (options.MinMessages is { } minMessages)
        {
            conditions.Add(r => r.MessageCount >= minMessages);
            Describe(description, $"messages≥{minMessages}");
        }

        if (options.MaxMessages is { } maxMessages)
        {
            conditions.Add(r => r.MessageCount <= maxMessages);
            Describe(description, $"messages≤{maxMessages}");
        }

        if (options.Requires is { } requires)
        {
            conditions.Add(r => (r.RequiredCapabilities & requires) == requires);
            Describe(description, $"needs={requires}");
        }

        if (options.Tasks.Count > 0)
        {
            TaskType[] tasks = [.. options.Tasks];
            conditions.Add(r => Array.IndexOf(tasks, r.Analysis.Task) >= 0);
            Describe(description, $"task={string.Join('|', tasks)}");
        }

        if (options.MinComplexity is { } minComplexity)
        {
            conditions.Add(r => r.Analysis.Complexity >= minComplexity);
            Describe(description, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"complexity≥{minComplexity:0.##}"));
        }

        if (options.MinRisk is { } minRisk)
        {
            conditions.Add(r => r.Analysis.Risk >= minRisk);
            Describe(description, $"risk≥{minRisk}");
        }

        if (options.HasPii is { } hasPii)
        {
            conditions.Add(r => r.Analysis.HasPii == hasPii);
            Describe(description, hasPii ? "personal data" : "no personal data");
        }

        if (options.StepKinds.Count > 0)
        {
            StepKind[] kinds = [.. options.StepKinds];
            conditions.Add(r => Array.IndexOf(kinds, r.StepKind) >= 0);
            Describe(description, $"step={string.Join('|', kinds)}");
        }

        if (options.AgentRoles.Count > 0)
        {
            string[] roles = [.. options.AgentRoles];
            conditions.Add(r => r.AgentRole is { } role && roles.Contains(role, StringComparer.OrdinalIgnoreCase));
            Describe(description, $"agent-role={string.Join('|', roles)}");
        }

        Func<RoutingRequest, bool>[] all = [.. conditions];
        Func<RoutingRequest, bool> combined = all.Length == 1 ? all[0] : r => AllHold(all, r);
        string conditionText = options.Description is { Length: > 0 } described ? described : description.ToString();
        string title = unnamed && position is { } n ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"rule #{n}") : $"rule '{name}'";
        return new RoutingRule(name, combined, [options.Target, .. options.Fallbacks], title, conditionText);
    }

    /// <summary>Compiles a case-insensitive, culture-invariant regex with a match timeout.</summary>
    internal static Regex CompileRegex(string ruleName, string pattern, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Rule '{ruleName}' has a non-positive RegexTimeout.", nameof(timeout));
        }

        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, timeout);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Rule '{ruleName}' has an invalid Regex: {ex.Message}", nameof(pattern), ex);
        }
    }

    private static bool HasAllTags(RoutingRequest request, string[] tags)
    {
        foreach (string tag in tags)
        {
            if (!request.HasTag(tag))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllHold(Func<RoutingRequest, bool>[] conditions, RoutingRequest request)
    {
        foreach (Func<RoutingRequest, bool> condition in conditions)
        {
            if (!condition(request))
            {
                return false;
            }
        }

        return true;
    }

    private RoutingRule(string name, Func<RoutingRequest, bool> predicate, IReadOnlyList<string> targets, string title, string description)
        : this(name, predicate, targets, description)
    {
        Reason = Explain(title, description);
    }

    /// <summary>The reason a rule gives: its title and, in parentheses, its conditions, e.g. <c>rule #2 (task=Code, tokens≥2000)</c>.</summary>
    private static string Explain(string title, string? description) => string.IsNullOrEmpty(description) ? title : $"{title} ({description})";

    /// <summary>Terms are counted, never spelt out: a rule's terms may name what the requests it catches contain.</summary>
    private static string Terms(int count) => count == 1 ? "1 term" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{count} terms");

    private static void Describe(StringBuilder description, string part)
    {
        if (description.Length > 0)
        {
            description.Append(", ");
        }

        description.Append(part);
    }
}
