using Microsoft.Extensions.AI;
using LlmRouting.Caching;
using LlmRouting.Resilience;
using LlmRouting.Costs;

namespace LlmRouting.Execution;

/// <summary>
/// One request's execution, from the decision to the end: the decision, the candidates, the chain of targets (computed
/// once), who serves, and every attempt. The only place the per-request state changes; <see cref="RouteInfo"/> reads it
/// while the request runs and keeps an immutable <see cref="RouteSnapshot"/> of it from <see cref="Complete"/> on.
/// </summary>
/// <remarks>Thread-safe: hedged attempts may end together.</remarks>
internal sealed class RouteExecution
{
    private readonly Lock _gate = new();
    private readonly Func<RouteExecution, IReadOnlyList<RouteTarget>>? _buildChain;
    private RouteAttempt? _firstAttempt; // most requests make one attempt: a list only for retries and fallbacks
    private List<RouteAttempt>? _moreAttempts;
    private IReadOnlyList<RouteTarget>? _chain;
    private RouteTarget _servedBy;
    private UsageDetails? _usage;
    private decimal? _cost;
    private decimal? _baselineCost;
    private bool _costEstimated;
    private bool _escalated;
    private bool _spliced;
    private bool _cacheHit;
    private double? _cacheSimilarity;
    private CancellationToken _timeLimit;
    private FallbackRouteExecutor? _limitedBy;

    /// <param name="id">The route's id.</param>
    /// <param name="timestamp">When the request was routed.</param>
    /// <param name="request">The request.</param>
    /// <param name="candidates">The targets that may serve it.</param>
    /// <param name="decision">The decision.</param>
    /// <param name="decisionDuration">How long the decision took.</param>
    /// <param name="baseline">The baseline target savings are measured against, if any.</param>
    /// <param name="buildChain">Builds the ordered chain of targets to try (first the decision's primary); <see langword="null"/> for the primary alone.</param>
    public RouteExecution(
        Guid id,
        DateTimeOffset timestamp,
        RoutingRequest request,
        RouteCandidates candidates,
        RouteDecision decision,
        TimeSpan decisionDuration,
        RouteTarget? baseline = null,
        Func<RouteExecution, IReadOnlyList<RouteTarget>>? buildChain = null)
    {
        Request = request;
        Candidates = candidates;
        Decision = decision;
        BaselineProfile = baseline?.Profile;
        _buildChain = buildChain;
        _servedBy = decision.Primary;
        Info = new RouteInfo(this, id, timestamp, decisionDuration, baseline?.Name);
    }

    /// <summary>Gets the public view of this execution, attached to the response or every update.</summary>
    public RouteInfo Info { get; }

    public RoutingRequest Request { get; }

    public RouteCandidates Candidates { get; }

    public RouteDecision Decision { get; }

    public TargetProfile? BaselineProfile { get; }

    /// <summary>Gets the targets to try, in order (first the decision's primary); built the first time it is read.</summary>
    public IReadOnlyList<RouteTarget> Chain
    {
        get
        {
            if (Volatile.Read(ref _chain) is { } chain)
            {
                return chain;
            }

            lock (_gate)
            {
                return _chain ??= _buildChain?.Invoke(this) ?? [Decision.Primary];
            }
        }
    }

    /// <summary>Gets the target serving (or last trying to serve) the request.</summary>
    public RouteTarget ServedBy
    {
        get
        {
            lock (_gate)
            {
                return _servedBy;
            }
        }
    }

    /// <summary>Gets the number of attempts that have ended.</summary>
    public int AttemptCount
    {
        get
        {
            lock (_gate)
            {
                return _firstAttempt is null ? 0 : 1 + (_moreAttempts?.Count ?? 0);
            }
        }
    }

    /// <summary>Gets the token the request's total time limit cancels (linked to the caller's); <see cref="CancellationToken.None"/> without one.</summary>
    public CancellationToken TimeLimit => _timeLimit;

    /// <summary>Sets the request's total time limit: the token it cancels, and the executor that words its expiry.</summary>
    public void LimitTime(FallbackRouteExecutor executor, CancellationToken timeLimit)
    {
        _timeLimit = timeLimit;
        _limitedBy = executor;
    }

    /// <summary>What the caller gets when the request's wait ended on <paramref name="callerToken"/> or the time limit: the caller's cancellation, else the limit's own exception.</summary>
    public Exception Expired(CancellationToken callerToken) =>
        callerToken.IsCancellationRequested || _limitedBy is not { } executor
            ? new OperationCanceledException(callerToken)
            : executor.BudgetSpent(this, new OperationCanceledException(_timeLimit));

    /// <summary>Gets a value indicating whether <see cref="Complete"/> has run.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Begins an attempt on <paramref name="target"/>; it ends exactly once, through one of its methods.</summary>
    /// <param name="target">The target.</param>
    /// <param name="serving">Whether the target becomes the one serving the request (a call in sequence); a hedged attempt serves only if it wins.</param>
    public TargetAttempt Begin(RouteTarget target, bool serving = true)
    {
        if (serving)
        {
            Serve(target);
        }

        return new TargetAttempt(this, target);
    }

    /// <summary>Makes <paramref name="target"/> the one serving the request (a hedge's winner; the original answer after a failed escalation).</summary>
    public void Serve(RouteTarget target)
    {
        lock (_gate)
        {
            _servedBy = target;
        }
    }

    /// <summary>Marks the answer as escalated to a stronger target.</summary>
    public void MarkEscalated()
    {
        lock (_gate)
        {
            _escalated = true;
        }
    }

    /// <summary>Sets whether the streamed answer is spliced from more than one target.</summary>
    public void SetSpliced(bool spliced)
    {
        lock (_gate)
        {
            _spliced = spliced;
        }
    }

    /// <summary>Moves a target cache's hit marker, if any, from a response's or update's properties onto the route.</summary>
    /// <returns>Whether a cache served it (then it is not billed).</returns>
    /// <param name="properties">A response's or update's additional properties.</param>
    /// <param name="streamed">Whether they are an update's.</param>
    public bool TakeCacheHit(AdditionalPropertiesDictionary? properties, bool streamed = false)
    {
        if (properties is null || !CacheHitMarker.TryTake(properties, out double? similarity, streamed))
        {
            return false;
        }

        lock (_gate)
        {
            _cacheHit = true;
            _cacheSimilarity ??= similarity;
        }

        return true;
    }

    /// <summary>The chain's targets no attempt has used yet, in chain order.</summary>
    public List<RouteTarget> UntriedTargets()
    {
        IReadOnlyList<RouteTarget> chain = Chain;
        lock (_gate)
        {
            return [.. chain.Where(t => _firstAttempt?.Target != t.Name && _moreAttempts?.Exists(a => a.Target == t.Name) != true)];
        }
    }

    /// <summary>Ends the request: builds the immutable snapshot <see cref="Info"/> keeps from now on.</summary>
    /// <returns>The final route.</returns>
    public RouteInfo Complete(RouteOutcome outcome, TimeSpan duration)
    {
        RouteSnapshot snapshot;
        lock (_gate)
        {
            IsCompleted = true;
            snapshot = Snapshot(outcome, duration);
        }

        Info.Freeze(snapshot);
        return Info;
    }

    /// <summary>What has happened so far.</summary>
    public RouteSnapshot Snapshot() => Snapshot(RouteOutcome.Pending, null);

    private RouteSnapshot Snapshot(RouteOutcome outcome, TimeSpan? duration)
    {
        lock (_gate)
        {
            return new RouteSnapshot
            {
                ServedBy = _servedBy,
                Attempts = _firstAttempt is null ? [] : _moreAttempts is null ? [_firstAttempt] : [_firstAttempt, .. _moreAttempts],
                Usage = _usage,
                Cost = _cost ?? (_cacheHit ? 0m : null), // a cache hit is free
                BaselineCost = _baselineCost,
                IsCostEstimated = _costEstimated,
                IsEscalated = _escalated,
                IsSpliced = _spliced,
                IsCacheHit = _cacheHit,
                CacheSimilarity = _cacheSimilarity,
                Outcome = outcome,
                Duration = duration,
            };
        }
    }

    /// <summary>Adds usage and its cost at <paramref name="target"/>'s prices; the baseline is priced from the same tokens.</summary>
    /// <returns>The cost; <see langword="null"/> without usage.</returns>
    internal decimal? AddUsage(UsageDetails? usage, RouteTarget target, bool estimated)
    {
        if (usage is null)
        {
            return null;
        }

        decimal? cost = RoutingCost.Compute(usage, target.Profile);
        TargetProfile? baseline = BaselineProfile;
        decimal? baselineCost = cost is not null && baseline is not null ? RoutingCost.Compute(usage, baseline) : null;
        lock (_gate)
        {
            if (_usage is null)
            {
                _usage = usage;
            }
            else
            {
                var total = new UsageDetails();
                total.Add(_usage);
                total.Add(usage);
                _usage = total;
            }

            _costEstimated |= estimated;
            if (cost is { } c)
            {
                _cost = (_cost ?? 0m) + c;
                if (baseline is not null)
                {
                    _baselineCost = (_baselineCost ?? 0m) + baselineCost;
                }
            }
        }

        return cost;
    }

    /// <summary>Records an attempt that has ended (called once per attempt, by <see cref="TargetAttempt"/>).</summary>
    internal void Record(RouteAttempt attempt)
    {
        lock (_gate)
        {
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
}
