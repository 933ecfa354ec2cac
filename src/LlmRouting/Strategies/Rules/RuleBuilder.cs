using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>A rule being built; <see cref="RouteTo"/> completes it and returns to the rule set.</summary>
public sealed class RuleBuilder
{
    private readonly RuleSetBuilder _set;
    private readonly RuleOptions _rule;

    internal RuleBuilder(RuleSetBuilder set, RuleOptions rule)
    {
        _set = set;
        _rule = rule;
    }

    /// <summary>Names the rule (shown in route reasons and logs).</summary>
    /// <param name="name">The name.</param>
    /// <returns>This builder.</returns>
    public RuleBuilder Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _rule.Name = name;
        return this;
    }

    /// <summary>Completes the rule: route to <paramref name="target"/>, then to <paramref name="fallbacks"/> in order.</summary>
    /// <param name="target">The primary target.</param>
    /// <param name="fallbacks">Fallback targets, in order.</param>
    /// <returns>The rule set, to add more rules.</returns>
    public RuleSetBuilder RouteTo(string target, params string[] fallbacks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentNullException.ThrowIfNull(fallbacks);
        _rule.Target = target;
        foreach (string fallback in fallbacks)
        {
            _rule.Fallbacks.Add(fallback);
        }

        return _set.Add(_rule);
    }
}
