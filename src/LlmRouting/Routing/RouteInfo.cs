using System.Globalization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>What the router did for one request: where it went, why, what it cost and what happened on the way.</summary>
/// <remarks>
/// Attached to the <see cref="ChatResponse"/> and to every <see cref="ChatResponseUpdate"/> of a stream (the
/// same instance; usage and cost are final once the stream has ended). Holds no prompt or response text.
/// Read it with <see cref="RouteInfoExtensions.GetRouteInfo(ChatResponse)"/>.
/// </remarks>
public sealed class RouteInfo
{
    private readonly Lock _gate = new();
    private RouteAttempt? _firstAttempt;
    private List<RouteAttempt>? _moreAttempts;
    private string? _routeId;
    private IReadOnlyList<string>? _candidateNames;

    internal RouteInfo(Guid id, DateTimeOffset timestamp, RoutingRequest request, RouteCandidates candidates, RouteDecision decision, TimeSpan decisionDuration, TargetProfile? baselineProfile, string? baselineTarget)
    {
        Id = id;
        Timestamp = timestamp;
        Request = request;
        CandidateSet = candidates;
        Decision = decision;
        DecisionDuration = decisionDuration;
        BaselineProfile = baselineProfile;
        BaselineTarget = baselineTarget;
        ServedBy = decision.Primary;
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

    /// <summary>Gets the content-free reason for the decision.</summary>
    public string Reason => Decision.Reason;

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
    public TimeSpan? Duration { get; internal set; }

    /// <summary>Gets how the request ended.</summary>
    public RouteOutcome Outcome { get; internal set; }

    /// <summary>Gets the token usage the serving target reported (summed over a stream).</summary>
    public UsageDetails? Usage { get; internal set; }

    /// <summary>Gets what the request cost at the serving target's prices, all attempts included; <see langword="null"/> when no usage was reported.</summary>
    public decimal? Cost { get; internal set; }

    /// <summary>
    /// Gets a value indicating whether part of <see cref="Usage"/> and <see cref="Cost"/> is an estimate: an attempt ended
    /// without reporting usage and was charged an estimate (<see cref="RouteAttempt.IsCostEstimated"/>).
    /// </summary>
    public bool IsCostEstimated { get; internal set; }

    /// <summary>Gets what making the routing decision cost (an LLM-as-judge call), separate from <see cref="Cost"/>; <see langword="null"/> when the decision was local.</summary>
    public decimal? DecisionCost => Decision.DecisionCost;

    /// <summary>Gets the name of the baseline target savings are measured against, if one is configured.</summary>
    public string? BaselineTarget { get; }

    /// <summary>Gets what the same tokens would have cost at the baseline target's prices.</summary>
    public decimal? BaselineCost { get; internal set; }

    /// <summary>Gets the saving against the baseline (<see cref="BaselineCost"/> − <see cref="Cost"/>); negative when routing cost more.</summary>
    public decimal? Savings => BaselineCost is { } baseline && Cost is { } cost ? baseline - cost : null;

    /// <summary>Gets the calls made to targets, in order.</summary>
    public IReadOnlyList<RouteAttempt> Attempts
    {
        get
        {
            lock (_gate)
            {
                return _firstAttempt is null ? [] : _moreAttempts is null ? [_firstAttempt] : [_firstAttempt, .. _moreAttempts];
            }
        }
    }

    /// <summary>Gets the number of attempts so far, without copying them (<see cref="Attempts"/> returns a snapshot).</summary>
    internal int AttemptCount
    {
        get
        {
            lock (_gate)
            {
                return _firstAttempt is null ? 0 : 1 + (_moreAttempts?.Count ?? 0);
            }
        }
    }

    /// <summary>Gets a value indicating whether a target other than the decision's primary served the answer.</summary>
    public bool IsFallback => !ReferenceEquals(ServedBy, Decision.Primary) && !IsEscalated;

    /// <summary>Gets a value indicating whether a low-confidence answer was escalated to a stronger target.</summary>
    public bool IsEscalated { get; internal set; }

    /// <summary>Gets a value indicating whether a streamed answer was continued on another target after a break.</summary>
    public bool IsSpliced { get; internal set; }

    /// <summary>Gets a value indicating whether the answer came from a cache.</summary>
    public bool IsCacheHit { get; internal set; }

    /// <summary>Gets the similarity of the cached request when a semantic cache served the answer.</summary>
    public double? CacheSimilarity { get; internal set; }

    /// <summary>Gets the request as the router saw it.</summary>
    internal RoutingRequest Request { get; }

    /// <summary>Gets the candidate set.</summary>
    internal RouteCandidates CandidateSet { get; }

    /// <summary>Gets or sets the target currently serving the request.</summary>
    internal RouteTarget ServedBy { get; set; }

    /// <summary>Gets the baseline target's profile.</summary>
    internal TargetProfile? BaselineProfile { get; }

    /// <summary>Records an attempt (thread-safe: hedged attempts may finish together).</summary>
    internal void AddAttempt(RouteAttempt attempt)
    {
        lock (_gate)
        {
            // Most requests make one attempt: keep it in a field and allocate a list only for retries and fallbacks.
            if (_firstAttempt is null)
            {
                _firstAttempt = attempt;
            }
            else
            {
                (_moreAttempts ??= []).Add(attempt);
            }
        }
    }

    /// <summary>Adds usage and its cost at <paramref name="target"/>'s prices; the baseline is priced from the same tokens.</summary>
    internal decimal? AddUsage(UsageDetails? usage, RouteTarget target)
    {
        if (usage is null)
        {
            return null;
        }

        decimal? cost = RoutingCost.Compute(usage, target.Profile);
        lock (_gate)
        {
            if (Usage is null)
            {
                Usage = usage;
            }
            else
            {
                var total = new UsageDetails();
                total.Add(Usage);
                total.Add(usage);
                Usage = total;
            }

            if (cost is { } c)
            {
                Cost = (Cost ?? 0m) + c;
                if (BaselineProfile is { } baseline)
                {
                    BaselineCost = (BaselineCost ?? 0m) + RoutingCost.Compute(usage, baseline);
                }
            }
        }

        return cost;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Target} via {Strategy} ({Reason}); cost {Cost?.ToString("0.######", CultureInfo.InvariantCulture) ?? "n/a"}; {Outcome}");
}
