using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmRouting.Strategies;

/// <summary>Routes by the first matching rule, in order; abstains when no rule matches.</summary>
/// <remarks>
/// A rule whose targets were all filtered out for this request (missing capability, context window,
/// policy) is skipped and the next rule is tried. A regex that times out counts as no match and is logged.
/// </remarks>
public sealed partial class RuleStrategy : IRoutingStrategy
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "rules";

    private readonly RoutingRule[] _rules;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="RuleStrategy"/> class.</summary>
    /// <param name="rules">The rules, in evaluation order.</param>
    /// <param name="logger">The logger, if any.</param>
    public RuleStrategy(IEnumerable<RoutingRule> rules, ILogger<RuleStrategy>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <summary>Gets the rules in evaluation order.</summary>
    public IReadOnlyList<RoutingRule> Rules => _rules;

    /// <inheritdoc/>
    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        foreach (RoutingRule rule in _rules)
        {
            if (!Evaluate(rule, request))
            {
                continue;
            }

            RouteTarget[]? targets = Resolve(rule, candidates);
            if (targets is null)
            {
                LogRuleTargetsUnavailable(_logger, rule.Name);
                continue;
            }

            return new(new RouteDecision(targets, StrategyName, rule.Reason));
        }

        return default;
    }

    private bool Evaluate(RoutingRule rule, RoutingRequest request)
    {
        try
        {
            return rule.Predicate(request);
        }
        catch (RegexMatchTimeoutException)
        {
            LogRegexTimeout(_logger, rule.Name);
            return false;
        }
    }

    private static RouteTarget[]? Resolve(RoutingRule rule, RouteCandidates candidates)
    {
        IReadOnlyList<string> names = rule.Targets;
        if (names.Count == 1)
        {
            return candidates.Find(names[0]) is { } only ? [only] : null;
        }

        var resolved = new List<RouteTarget>(names.Count);
        foreach (string name in names)
        {
            if (candidates.Find(name) is { } target && !resolved.Contains(target))
            {
                resolved.Add(target);
            }
        }

        return resolved.Count == 0 ? null : [.. resolved];
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Routing rule '{Rule}' timed out evaluating its regex; treated as no match.")]
    private static partial void LogRegexTimeout(ILogger logger, string rule);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Routing rule '{Rule}' matched but none of its targets can serve this request; trying the next rule.")]
    private static partial void LogRuleTargetsUnavailable(ILogger logger, string rule);
}
