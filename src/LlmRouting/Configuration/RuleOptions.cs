using LlmRouting.Analysis;

namespace LlmRouting.Configuration;

/// <summary>One routing rule: conditions (all must hold) and the targets to route to, bindable from configuration.</summary>
/// <remarks>
/// Every condition that is set must match for the rule to fire; a rule with no condition at all is a
/// configuration error. Text conditions look at user messages only, ordinal and case-insensitive.
/// </remarks>
public sealed class RuleOptions
{
    /// <summary>Gets or sets the rule's name, used in route reasons and logs.</summary>
    /// <value>The default is <c>rule-N</c> by position.</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the target to route to when the rule matches.</summary>
    public string? Target { get; set; }

    /// <summary>Gets the targets to fall back to, in order, after <see cref="Target"/>.</summary>
    public IList<string> Fallbacks { get; } = [];

    /// <summary>Gets terms of which at least one must occur in the user text.</summary>
    public IList<string> ContainsAny { get; } = [];

    /// <summary>Gets terms that must all occur in the user text.</summary>
    public IList<string> ContainsAll { get; } = [];

    /// <summary>Gets or sets a regular expression the text of a user message must match (case-insensitive; each message's text is matched on its own).</summary>
    public string? Regex { get; set; }

    /// <summary>Gets or sets the regular expression's match timeout; a timed-out match counts as no match.</summary>
    /// <value>The default is 100 milliseconds.</value>
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets metadata values that must all equal the request's (case-insensitive), e.g. <c>tier = free</c>.</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets tags the request must all carry.</summary>
    public IList<string> Tags { get; } = [];

    /// <summary>Gets or sets the least estimated input tokens for the rule to match.</summary>
    public int? MinTokens { get; set; }

    /// <summary>Gets or sets the most estimated input tokens for the rule to match.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Gets or sets the least number of messages for the rule to match.</summary>
    public int? MinMessages { get; set; }

    /// <summary>Gets or sets the most number of messages for the rule to match.</summary>
    public int? MaxMessages { get; set; }

    /// <summary>Gets or sets capabilities the request must need (e.g. <c>Tools</c>) for the rule to match.</summary>
    public ModelCapabilities? Requires { get; set; }

    /// <summary>Gets task types of which the analyzer's reading must be one (e.g. <c>Code</c>, <c>Math</c>).</summary>
    public IList<TaskType> Tasks { get; } = [];

    /// <summary>Gets or sets the least complexity score (0–1) for the rule to match.</summary>
    public double? MinComplexity { get; set; }

    /// <summary>Gets or sets the least risk level for the rule to match.</summary>
    public RiskLevel? MinRisk { get; set; }

    /// <summary>Gets or sets whether the request must (true) or must not (false) contain personal data.</summary>
    public bool? HasPii { get; set; }

    /// <summary>Gets the agent step kinds the rule matches (any of them), e.g. <c>ToolContinuation</c> to send continuations after tool results elsewhere.</summary>
    public IList<StepKind> StepKinds { get; } = [];

    /// <summary>Gets the agent roles (<see cref="RequestMetadataKeys.AgentRole"/> metadata) the rule matches (any of them, case-insensitive).</summary>
    public IList<string> AgentRoles { get; } = [];

    /// <summary>Gets or sets a code predicate (not bindable from configuration).</summary>
    public Func<RoutingRequest, bool>? Predicate { get; set; }

    /// <summary>Gets or sets a content-free description of the rule's conditions, shown in the route reason instead of the generated one (e.g. <c>vip customer</c>).</summary>
    /// <value>The default is <see langword="null"/>: the reason lists the conditions (a <see cref="Predicate"/> as "a code condition").</value>
    public string? Description { get; set; }

    /// <summary>Gets a value indicating whether the rule has at least one condition.</summary>
    public bool HasCondition =>
        Predicate is not null || ContainsAny.Count > 0 || ContainsAll.Count > 0 || !string.IsNullOrEmpty(Regex) ||
        Metadata.Count > 0 || Tags.Count > 0 || MinTokens is not null || MaxTokens is not null ||
        MinMessages is not null || MaxMessages is not null || Requires is not null ||
        Tasks.Count > 0 || MinComplexity is not null || MinRisk is not null || HasPii is not null ||
        StepKinds.Count > 0 || AgentRoles.Count > 0;
}
