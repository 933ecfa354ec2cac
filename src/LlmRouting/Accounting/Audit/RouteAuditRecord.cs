using LlmRouting.Agents;
using LlmRouting.Analysis;

namespace LlmRouting.Accounting;

/// <summary>The audit record of one routed request: who, where, why, which policies applied, what it cost, how long it took and how it ended.</summary>
/// <remarks>
/// Holds no prompt or response text and no exception messages (only exception type names). The analysis fields
/// (task, complexity, risk, domains, kinds of personal data) are what data policies decide on; reading them analyses
/// the request if no strategy has yet (once, locally).
/// </remarks>
public sealed record RouteAuditRecord
{
    /// <summary>Gets when the request was routed.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the route id (also on the response, for outcome feedback).</summary>
    public required string RouteId { get; init; }

    /// <summary>Gets the tenant, if the request named one.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the user, if the request named one.</summary>
    public string? User { get; init; }

    /// <summary>Gets the target that served (or last tried to serve) the request.</summary>
    public required string Target { get; init; }

    /// <summary>Gets the model id sent to the target, if its profile names one.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the strategy that decided.</summary>
    public required string Strategy { get; init; }

    /// <summary>Gets the version of the learned model that decided (the adaptive router's), if any.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets the content-free reason for the decision.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets the task type the request analysis found.</summary>
    public TaskType? Task { get; init; }

    /// <summary>Gets the complexity score the request analysis found, from 0 to 1.</summary>
    public double? Complexity { get; init; }

    /// <summary>Gets the risk level the request analysis found.</summary>
    public RiskLevel? Risk { get; init; }

    /// <summary>Gets the sensitive domains the request analysis found.</summary>
    public RiskDomains? Domains { get; init; }

    /// <summary>Gets the kinds of personal data the request analysis detected (the kinds only, never the values).</summary>
    public PiiKinds? Pii { get; init; }

    /// <summary>Gets the targets the decision named, primary first.</summary>
    public required IReadOnlyList<string> Decision { get; init; }

    /// <summary>Gets the targets that passed every filter.</summary>
    public required IReadOnlyList<string> Candidates { get; init; }

    /// <summary>Gets the policy decisions that removed targets (target, filter, reason).</summary>
    public required IReadOnlyList<CandidateRejection> Rejections { get; init; }

    /// <summary>Gets the calls made to targets, in order.</summary>
    public required IReadOnlyList<RouteAttempt> Attempts { get; init; }

    /// <summary>Gets how the request ended.</summary>
    public required RouteOutcome Outcome { get; init; }

    /// <summary>Gets a value indicating whether a target other than the primary served the answer.</summary>
    public bool IsFallback { get; init; }

    /// <summary>Gets a value indicating whether the answer was escalated to a stronger target.</summary>
    public bool IsEscalated { get; init; }

    /// <summary>Gets a value indicating whether a cache served the answer.</summary>
    public bool IsCacheHit { get; init; }

    /// <summary>Gets the input tokens reported.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output tokens reported.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the cost at the serving target's prices.</summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets the baseline target savings are measured against.</summary>
    public string? BaselineTarget { get; init; }

    /// <summary>Gets what the same tokens would have cost at the baseline target.</summary>
    public decimal? BaselineCost { get; init; }

    /// <summary>Gets the decision latency, in milliseconds.</summary>
    public double DecisionMilliseconds { get; init; }

    /// <summary>Gets the whole request's latency, in milliseconds.</summary>
    public double? DurationMilliseconds { get; init; }

    /// <summary>Gets the session (conversation id or session metadata), when agent sessions are on.</summary>
    public string? Session { get; init; }

    /// <summary>Gets what the call was in its agent loop: a user turn, a continuation after tool results, or the final answer.</summary>
    public StepKind? StepKind { get; init; }

    /// <summary>Gets the 1-based index of the call within its turn.</summary>
    public int? StepIndex { get; init; }

    /// <summary>Gets what loop detection found, when it refused or downgraded the call.</summary>
    public AgentLoopEvidence? LoopDetected { get; init; }

    /// <summary>Gets what the call's whole turn had cost once it ended (this call included), when agent sessions are on.</summary>
    public decimal? TurnCost { get; init; }

    /// <summary>Creates the audit record of a completed route.</summary>
    /// <param name="route">The route.</param>
    /// <returns>The record.</returns>
    public static RouteAuditRecord From(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        RequestAnalysis analysis = route.Analysis;
        return new()
        {
            Timestamp = route.Timestamp,
            RouteId = route.RouteId,
            Tenant = route.Tenant,
            User = route.User,
            Target = route.Target,
            ModelId = route.ModelId,
            Strategy = route.Strategy,
            Reason = route.Reason,
            ModelVersion = route.ModelVersion,
            Task = analysis.Task,
            Complexity = Math.Round(analysis.Complexity, 3),
            Risk = analysis.Risk,
            Domains = analysis.Domains,
            Pii = analysis.Pii,
            Decision = [.. route.Decision.Targets.Select(t => t.Name)],
            Candidates = route.Candidates,
            Rejections = route.Rejections,
            Attempts = route.Attempts,
            Outcome = route.Outcome,
            IsFallback = route.IsFallback,
            IsEscalated = route.IsEscalated,
            IsCacheHit = route.IsCacheHit,
            InputTokens = route.Usage?.InputTokenCount,
            OutputTokens = route.Usage?.OutputTokenCount,
            Cost = route.Cost,
            BaselineTarget = route.BaselineTarget,
            BaselineCost = route.BaselineCost,
            DecisionMilliseconds = route.DecisionDuration.TotalMilliseconds,
            DurationMilliseconds = route.Duration?.TotalMilliseconds,
            Session = route.Session,
            StepKind = route.Turn is null ? null : route.StepKind,
            StepIndex = route.Turn is null ? null : route.StepIndex,
            LoopDetected = route.LoopDetected,
            TurnCost = route.Turn?.Cost,
        };
    }
}
