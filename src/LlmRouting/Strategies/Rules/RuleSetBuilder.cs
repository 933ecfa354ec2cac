using LlmRouting.Analysis;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Builds an ordered set of routing rules with a fluent API: <c>rules.WhenContainsAny("stack trace").RouteTo("premium")</c>.</summary>
public sealed class RuleSetBuilder
{
    private readonly List<RuleOptions> _rules;

    internal RuleSetBuilder(List<RuleOptions> rules)
    {
        _rules = rules;
    }

    /// <summary>Starts a rule that fires when <paramref name="predicate"/> holds.</summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="name">The rule name, or <see langword="null"/> for <c>rule-N</c>.</param>
    /// <param name="description">A content-free description of the condition for the route reason, e.g. <c>"vip customer"</c>; the default is "a code condition".</param>
    /// <returns>The rule builder; finish it with <see cref="RuleBuilder.RouteTo"/>.</returns>
    /// <remarks>The reason reads <c>rule 'name' (description)</c>, or for an unnamed rule <c>rule #N (description)</c>.</remarks>
    public RuleBuilder When(Func<RoutingRequest, bool> predicate, string? name = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new RuleBuilder(this, new RuleOptions { Predicate = predicate, Name = name, Description = description });
    }

    /// <summary>Adds a rule configured with declarative conditions (the same shape configuration binds), e.g. <c>rules.Add(r => r.MinRisk = RiskLevel.Medium)</c>.</summary>
    /// <param name="configure">Sets the conditions on the rule's options.</param>
    /// <returns>The rule builder; finish it with <see cref="RuleBuilder.RouteTo"/>.</returns>
    public RuleBuilder Add(Action<RuleOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RuleOptions();
        configure(options);
        return new RuleBuilder(this, options);
    }

    /// <summary>Starts a rule that fires when the user text contains any of <paramref name="terms"/>.</summary>
    /// <param name="terms">The terms (ordinal, case-insensitive).</param>
    /// <returns>The rule builder.</returns>
    public RuleBuilder WhenContainsAny(params string[] terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return Add(o =>
        {
            foreach (string term in terms)
            {
                o.ContainsAny.Add(term);
            }
        });
    }

    /// <summary>Starts a rule that fires when the request metadata <paramref name="key"/> equals <paramref name="value"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The value (case-insensitive).</param>
    /// <returns>The rule builder.</returns>
    public RuleBuilder WhenMetadata(string key, string value) => Add(o => o.Metadata[key] = value);

    /// <summary>Starts a rule that fires for agent steps of the given kinds, e.g. <c>WhenStep(StepKind.ToolContinuation).RouteTo("economy")</c>.</summary>
    /// <param name="kinds">The step kinds (any of them).</param>
    /// <returns>The rule builder.</returns>
    public RuleBuilder WhenStep(params StepKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        if (kinds.Length == 0)
        {
            throw new ArgumentException("Name at least one step kind.", nameof(kinds));
        }

        return Add(o =>
        {
            foreach (StepKind kind in kinds)
            {
                o.StepKinds.Add(kind);
            }
        });
    }

    /// <summary>Starts a rule that fires when the request's agent role (<see cref="RequestMetadataKeys.AgentRole"/> metadata) is <paramref name="role"/>.</summary>
    /// <param name="role">The role (case-insensitive), e.g. <c>planner</c>.</param>
    /// <returns>The rule builder.</returns>
    public RuleBuilder WhenAgentRole(string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        return Add(o => o.AgentRoles.Add(role));
    }

    /// <summary>Starts a rule that fires when the analyzer reads the request's risk as at least <paramref name="level"/>.</summary>
    /// <param name="level">The least risk level.</param>
    /// <returns>The rule builder.</returns>
    public RuleBuilder WhenRiskAtLeast(RiskLevel level) => Add(o => o.MinRisk = level);

    /// <summary>Starts a rule that fires when the user text matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The regular expression (case-insensitive).</param>
    /// <param name="timeout">The match timeout; the default is 100 ms.</param>
    /// <returns>The rule builder.</returns>
    public RuleBuilder WhenMatches(string pattern, TimeSpan? timeout = null) => Add(o =>
    {
        o.Regex = pattern;
        o.RegexTimeout = timeout ?? o.RegexTimeout;
    });

    internal RuleSetBuilder Add(RuleOptions rule)
    {
        _rules.Add(rule);
        return this;
    }
}
