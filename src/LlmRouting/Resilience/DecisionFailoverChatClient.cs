using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// A per-request <see cref="FailoverChatClient"/> over the targets one decision chose. MEAI's base owns the
/// attempt loop and its streaming rule — no failover once an update has reached the caller; this class picks
/// the next target, records every attempt in the <see cref="RouteInfo"/>, and stops the chain on a failure
/// that another target would not cure (e.g. 400 or 401).
/// </summary>
internal sealed class DecisionFailoverChatClient : FailoverChatClient, IStreamSource
{
    private readonly RouteInfo _route;
    private readonly Func<RouteInfo, IReadOnlyList<RouteTarget>>? _buildChain;
    private readonly Func<Exception, bool> _shouldFallOver;
    private readonly CancellationToken _callerToken;
    private IReadOnlyList<RouteTarget>? _chain;
    private int _next;

    /// <param name="route">The route to record attempts in.</param>
    /// <param name="chain">The targets to try, in order.</param>
    /// <param name="shouldFallOver">Which failures move on to the next target.</param>
    /// <param name="callerToken">The caller's token: only its cancellation records an attempt as cancelled (a budget or idle timeout is a failure).</param>
    public DecisionFailoverChatClient(RouteInfo route, IReadOnlyList<RouteTarget> chain, Func<Exception, bool> shouldFallOver, CancellationToken callerToken)
    {
        _route = route;
        _chain = chain;
        _shouldFallOver = shouldFallOver;
        _callerToken = callerToken;
        MaximumAttemptsPerRequest = chain.Count;
    }

    /// <summary>A chain built only when the primary (the decision's first target) fails: the success path never builds it.</summary>
    /// <param name="route">The route to record attempts in.</param>
    /// <param name="buildChain">Builds the whole chain; its first target must be the decision's primary.</param>
    /// <param name="maximumTargets">An upper bound of the chain's length.</param>
    /// <param name="shouldFallOver">Which failures move on to the next target.</param>
    /// <param name="callerToken">The caller's token.</param>
    public DecisionFailoverChatClient(RouteInfo route, Func<RouteInfo, IReadOnlyList<RouteTarget>> buildChain, int maximumTargets, Func<Exception, bool> shouldFallOver, CancellationToken callerToken)
    {
        _route = route;
        _buildChain = buildChain;
        _shouldFallOver = shouldFallOver;
        _callerToken = callerToken;
        MaximumAttemptsPerRequest = Math.Max(1, maximumTargets);
    }

    public RouteTarget Current => _next <= 1 && _chain is null ? _route.Decision.Primary : Chain[Math.Max(0, _next - 1)];

    /// <summary>Gets the targets of the chain not tried yet.</summary>
    public IReadOnlyList<RouteTarget> Remaining => After(Chain, _next);

    private IReadOnlyList<RouteTarget> Chain => _chain ??= _buildChain!(_route);

    /// <summary>The targets of <paramref name="chain"/> from <paramref name="next"/> on.</summary>
    public static IReadOnlyList<RouteTarget> After(IReadOnlyList<RouteTarget> chain, int next) => next >= chain.Count ? [] : [.. chain.Skip(next)];

    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        RouteTarget target = _next == 0 && _chain is null ? _route.Decision.Primary : Chain[_next];
        _next++;
        _route.ServedBy = target;
        return new(target.Client);
    }

    /// <summary>
    /// Takes over after the executor called the primary itself (its fast path) and the call failed: reports that
    /// attempt exactly as the base's loop reports its first one, and throws when the request ends there (the
    /// failure stops the chain, the attempt limit is one, or the token was cancelled). Otherwise the base's
    /// <see cref="FailoverChatClient.GetResponseAsync"/> carries on from the second target, within the remaining attempts.
    /// </summary>
    /// <param name="failure">What the primary threw.</param>
    /// <param name="duration">How long the call took.</param>
    /// <param name="cancellationToken">The token the primary was called with (the one the base would have seen).</param>
    public void ContinueAfterPrimary(Exception failure, TimeSpan duration, CancellationToken cancellationToken)
    {
        // The base's loop after a failed first attempt: cancellation and the attempt limit end the request, then the update decides.
        _next = 1;
        int limit = MaximumAttemptsPerRequest ?? int.MaxValue;
        bool cancellationRequested = cancellationToken.IsCancellationRequested;
        bool isTerminal = cancellationRequested || limit <= 1;
        Report(failure, responseCompleted: false, outputCommitted: false, duration, timeToFirstUpdate: null, isTerminal);
        if (cancellationRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (isTerminal)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        MaximumAttemptsPerRequest = limit - 1;
    }

    protected override ValueTask OnRoutingUpdateAsync(RoutingContext context, FailoverChatClientAttempt attempt, bool isTerminal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        Report(attempt.Exception, attempt.ResponseCompleted, attempt.OutputCommitted, attempt.Duration, attempt.TimeToFirstUpdate, isTerminal);
        return default;
    }

    /// <summary>Records an attempt of <see cref="Current"/> and stops the chain on a failure another target would not cure.</summary>
    private void Report(Exception? exception, bool responseCompleted, bool outputCommitted, TimeSpan duration, TimeSpan? timeToFirstUpdate, bool isTerminal)
    {
        RouteTarget target = Current;
        RouteAttemptOutcome outcome =
            responseCompleted ? RouteAttemptOutcome.Succeeded :
            exception is null ? RouteAttemptOutcome.Abandoned :
            exception is OperationCanceledException && _callerToken.IsCancellationRequested ? RouteAttemptOutcome.Canceled :
            RouteAttemptOutcome.Failed;

        // Successful attempts, and streams that ended after output reached the executor, are recorded by the executor,
        // which knows the usage and cost (and estimates it for a stream that broke before reporting usage).
        if (outcome != RouteAttemptOutcome.Succeeded && !outputCommitted)
        {
            // A cancellation the caller did not ask for is one of the router's timeouts (total budget, stream idle timeout).
            string? error = outcome == RouteAttemptOutcome.Failed && exception is OperationCanceledException ? nameof(TimeoutException) : exception?.GetType().Name;
            _route.AddAttempt(new RouteAttempt(target.Name, outcome, duration, timeToFirstUpdate, error));
        }

        if (!isTerminal && exception is { } failure && (!_shouldFallOver(failure) || _next >= Chain.Count))
        {
            // Not a failure another target would cure, or no target left: stop here and surface the original exception.
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
