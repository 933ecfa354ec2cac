using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Execution;

namespace LlmRouting;

/// <summary>What the router did for one request: where it went, why, what it cost and what happened on the way.</summary>
/// <remarks>
/// Attached to the <see cref="ChatResponse"/> and to every <see cref="ChatResponseUpdate"/> of a stream (the
/// same instance). While the request runs it shows its progress; once the request has ended (the response returned,
/// the stream's last update read, disposed or failed) it is an immutable snapshot: usage, cost and attempts are final
/// and never change again. Holds no prompt or response text.
/// Read it with <see cref="RouteInfoExtensions.GetRouteInfo(ChatResponse)"/>. Serialized (by a cache above the router) it is a
/// small content-free form that reads back as a cache hit, never as this route.
/// </remarks>
[JsonConverter(typeof(RouteInfoJsonConverter))]
public sealed partial class RouteInfo
{
    private RouteExecution? _live;
    private RouteSnapshot? _snapshot; // null while live: the execution's own snapshot is the route's state until it completes
    private string? _routeId;
    private IReadOnlyList<string>? _candidateNames;
    private string? _reason;

    /// <summary>A route that is already complete (e.g. a semantic-cache hit that never reached a router); set what it did with the initializers.</summary>
    internal RouteInfo(Guid id, DateTimeOffset timestamp, RoutingRequest request, RouteCandidates candidates, RouteDecision decision, TimeSpan decisionDuration, TargetProfile? baselineProfile, string? baselineTarget)
        : this(null, id, timestamp, request, candidates, decision, decisionDuration, baselineProfile, baselineTarget)
    {
    }

    /// <summary>The view of a running execution, until <see cref="RouteExecution.Complete"/> freezes it.</summary>
    internal RouteInfo(RouteExecution execution, Guid id, DateTimeOffset timestamp, TimeSpan decisionDuration, string? baselineTarget)
        : this(execution, id, timestamp, execution.Request, execution.Candidates, execution.Decision, decisionDuration, execution.BaselineProfile, baselineTarget)
    {
    }

    private RouteInfo(RouteExecution? live, Guid id, DateTimeOffset timestamp, RoutingRequest request, RouteCandidates candidates, RouteDecision decision, TimeSpan decisionDuration, TargetProfile? baselineProfile, string? baselineTarget)
    {
        Id = id;
        Timestamp = timestamp;
        Request = request;
        CandidateSet = candidates;
        Decision = decision;
        DecisionDuration = decisionDuration;
        BaselineProfile = baselineProfile;
        BaselineTarget = baselineTarget;
        _live = live;
        _snapshot = live is null ? new RouteSnapshot { ServedBy = decision.Primary } : null;
    }

    /// <summary>Gets the unique id of this route (a version-7 GUID, "N" format); pass it to outcome feedback.</summary>
    public string RouteId => _routeId ??= Id.ToString("N", CultureInfo.InvariantCulture);

    /// <summary>Gets the unique id of this route.</summary>
    public Guid Id { get; }

    /// <summary>Gets when the request was routed.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the name of the target that served (or last tried to serve) the request.</summary>
    public string Target => ServedBy.Name;

    /// <summary>Gets the model id sent to the target, if its profile names one.</summary>
    public string? ModelId => ServedBy.Profile.ModelId;

    /// <summary>Gets the quality tier of the target that served the request.</summary>
    public QualityTier Tier => ServedBy.Profile.Tier;

    /// <summary>Gets the name of the strategy that decided.</summary>
    public string Strategy => Decision.Strategy;

    /// <summary>Gets the content-free reason for the decision; when the data policy kept the request from a target, the reason says so.</summary>
    public string Reason => _reason ??= ReasonWithPolicy();

    /// <summary>Gets the decision: targets in order, strategy, reason and score.</summary>
    public RouteDecision Decision { get; }

    /// <summary>Gets the names of the targets that could serve the request.</summary>
    public IReadOnlyList<string> Candidates => _candidateNames ??= [.. CandidateSet.Targets.Select(t => t.Name)];

    /// <summary>Gets why the other targets could not serve the request.</summary>
    public IReadOnlyList<CandidateRejection> Rejections => CandidateSet.Rejections;

    /// <summary>Gets the analyzer's reading of the request: task, complexity, risk and personal-data kinds (no text).</summary>
    public RequestAnalysis Analysis => Request.Analysis;

    /// <summary>Gets the tenant from the request metadata, if any.</summary>
    public string? Tenant => Request.Tenant;

    /// <summary>Gets the user from the request metadata, if any.</summary>
    public string? User => Request.User;

    /// <summary>Gets how long the routing decision took (analysis, filtering and strategies).</summary>
    public TimeSpan DecisionDuration { get; }

    /// <summary>Gets how long the whole request took, once it has ended.</summary>
    public TimeSpan? Duration
    {
        get => Now.Duration;
        internal init => _snapshot = Completed with { Duration = value };
    }

    /// <summary>Gets how the request ended.</summary>
    public RouteOutcome Outcome
    {
        get => Now.Outcome;
        internal init => _snapshot = Completed with { Outcome = value };
    }

    /// <summary>Gets the token usage the serving target reported (summed over a stream).</summary>
    public UsageDetails? Usage => Now.Usage;

    /// <summary>Gets what the request cost at the serving target's prices, all attempts included; <see langword="null"/> when no usage was reported.</summary>
    public decimal? Cost
    {
        get => Now.Cost;
        internal init => _snapshot = Completed with { Cost = value };
    }

    /// <summary>
    /// Gets a value indicating whether part of <see cref="Usage"/> and <see cref="Cost"/> is an estimate: an attempt ended
    /// without reporting usage and was charged an estimate (<see cref="RouteAttempt.IsCostEstimated"/>).
    /// </summary>
    public bool IsCostEstimated => Now.IsCostEstimated;

    /// <summary>Gets what making the routing decision cost (an LLM-as-judge call), separate from <see cref="Cost"/>; <see langword="null"/> when the decision was local.</summary>
    public decimal? DecisionCost => Decision.DecisionCost;

    /// <summary>Gets the version of the learned model that decided (the adaptive router's), or <see langword="null"/>.</summary>
    public string? ModelVersion => Decision.ModelVersion;

    /// <summary>Gets the name of the baseline target savings are measured against, if one is configured.</summary>
    public string? BaselineTarget { get; }

    /// <summary>Gets what the same tokens would have cost at the baseline target's prices.</summary>
    public decimal? BaselineCost => Now.BaselineCost;

    /// <summary>Gets the saving against the baseline (<see cref="BaselineCost"/> − <see cref="Cost"/>); negative when routing cost more.</summary>
    public decimal? Savings => Now is { BaselineCost: { } baseline, Cost: { } cost } ? baseline - cost : null;

    /// <summary>Gets the calls made to targets, in order.</summary>
    public IReadOnlyList<RouteAttempt> Attempts => Now.Attempts;

    /// <summary>Gets the number of attempts so far.</summary>
    internal int AttemptCount => Volatile.Read(ref _live)?.AttemptCount ?? _snapshot!.Attempts.Count;

    /// <summary>Gets a value indicating whether a target other than the decision's primary served the answer.</summary>
    public bool IsFallback => Now is var now && !ReferenceEquals(now.ServedBy, Decision.Primary) && !now.IsEscalated;

    /// <summary>Gets a value indicating whether a low-confidence answer was escalated to a stronger target.</summary>
    public bool IsEscalated => Now.IsEscalated;

    /// <summary>Gets a value indicating whether a streamed answer was continued on another target after a break.</summary>
    public bool IsSpliced => Now.IsSpliced;

    /// <summary>Gets a value indicating whether the answer came from a cache.</summary>
    public bool IsCacheHit
    {
        get => Now.IsCacheHit;
        internal init => _snapshot = Completed with { IsCacheHit = value };
    }

    /// <summary>Gets the similarity of the cached request when a semantic cache served the answer.</summary>
    public double? CacheSimilarity
    {
        get => Now.CacheSimilarity;
        internal init => _snapshot = Completed with { CacheSimilarity = value };
    }

    /// <summary>Gets the request as the router saw it.</summary>
    internal RoutingRequest Request { get; }

    /// <summary>Gets the candidate set.</summary>
    internal RouteCandidates CandidateSet { get; }

    /// <summary>Gets the target serving (or last trying to serve) the request.</summary>
    internal RouteTarget ServedBy => Volatile.Read(ref _live)?.ServedBy ?? _snapshot!.ServedBy;

    /// <summary>Gets the baseline target's profile.</summary>
    internal TargetProfile? BaselineProfile { get; }

    /// <summary>The final snapshot once the request has ended; until then, what its execution has done so far.</summary>
    private RouteSnapshot Now => Volatile.Read(ref _live)?.Snapshot() ?? _snapshot!;

    /// <summary>The snapshot of a route built complete; a running route's state is its execution's, never set from outside.</summary>
    private RouteSnapshot Completed => _snapshot ?? throw new InvalidOperationException("A running route's outcome is set by its execution, not by initializers.");

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Target} via {Strategy} ({Reason}); cost {Cost?.ToString("0.######", CultureInfo.InvariantCulture) ?? "n/a"}; {Outcome}");

    /// <summary>Keeps the execution's final snapshot; from here on the route never changes.</summary>
    internal void Freeze(RouteSnapshot snapshot)
    {
        _snapshot = snapshot;
        Volatile.Write(ref _live, null);
    }
}
