using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>
/// A per-request <see cref="FailoverChatClient"/> over the targets one decision chose. MEAI's base owns the
/// attempt loop and its streaming rule — no failover once an update has reached the caller; this class picks
/// the next target, begins and ends every attempt through the <see cref="RouteExecution"/>, and stops the chain
/// on a failure that another target would not cure (e.g. 400 or 401).
/// </summary>
internal sealed class DecisionFailoverChatClient : FailoverChatClient, IStreamSource
{
    private readonly RouteExecution _route;
    private readonly IReadOnlyList<RouteTarget>? _targets;
    private readonly Func<Exception, bool> _shouldFallOver;
    private readonly CancellationToken _callerToken;
    private int _next;

    /// <param name="route">The execution the attempts belong to.</param>
    /// <param name="targets">The targets to try, in order; <see langword="null"/> for the execution's whole chain.</param>
    /// <param name="shouldFallOver">Which failures move on to the next target.</param>
    /// <param name="callerToken">The caller's token: only its cancellation records an attempt as cancelled (a budget or idle timeout is a failure).</param>
    public DecisionFailoverChatClient(RouteExecution route, IReadOnlyList<RouteTarget>? targets, Func<Exception, bool> shouldFallOver, CancellationToken callerToken)
    {
        _route = route;
        _targets = targets;
        _shouldFallOver = shouldFallOver;
        _callerToken = callerToken;
        MaximumAttemptsPerRequest = Math.Max(1, Targets.Count);
    }

    /// <summary>Gets the current (or last) attempt; <see langword="null"/> before the first.</summary>
    public TargetAttempt? Attempt { get; private set; }

    public RouteTarget Current => Attempt?.Target ?? Targets[0];

    /// <summary>Gets the targets of the chain not tried yet.</summary>
    public IReadOnlyList<RouteTarget> Remaining => After(Targets, _next);

    private IReadOnlyList<RouteTarget> Targets => _targets ?? _route.Chain;

    /// <summary>The targets of <paramref name="chain"/> from <paramref name="next"/> on.</summary>
    public static IReadOnlyList<RouteTarget> After(IReadOnlyList<RouteTarget> chain, int next) => next >= chain.Count ? [] : [.. chain.Skip(next)];

    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        Attempt = _route.Begin(Targets[_next++]);
        return new(new RacingChatClient(Attempt.Target.Client)); // the loop's wait ends with its token, whatever the target does
    }

    /// <summary>
    /// Takes over after the executor called the primary itself (its fast path) and the call failed: ends that attempt
    /// exactly as the base's loop reports its first one, and throws when the request ends there (the failure stops the
    /// chain, the attempt limit is one, or the token was cancelled). Otherwise the base's
    /// <see cref="FailoverChatClient.GetResponseAsync"/> carries on from the second target, within the remaining attempts.
    /// </summary>
    /// <param name="primary">The primary's attempt.</param>
    /// <param name="failure">What the primary threw.</param>
    /// <param name="cancellationToken">The token the primary was called with (the one the base would have seen).</param>
    public void ContinueAfterPrimary(TargetAttempt primary, Exception failure, CancellationToken cancellationToken)
    {
        // The base's loop after a failed first attempt: cancellation and the attempt limit end the request, then the update decides.
        Attempt = primary;
        _next = 1;
        int limit = MaximumAttemptsPerRequest ?? int.MaxValue;
        bool cancellationRequested = cancellationToken.IsCancellationRequested;
        bool isTerminal = cancellationRequested || limit <= 1;
        Report(failure, responseCompleted: false, outputCommitted: false, isTerminal);
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
        Report(attempt.Exception, attempt.ResponseCompleted, attempt.OutputCommitted, isTerminal);
        return default;
    }

    /// <summary>Ends the current attempt unless the executor ends it, and stops the chain on a failure another target would not cure.</summary>
    private void Report(Exception? exception, bool responseCompleted, bool outputCommitted, bool isTerminal)
    {
        // Successful attempts, and streams that ended after output reached the executor, are ended by the executor,
        // which knows the usage and cost (and estimates it for a stream that broke before reporting usage).
        if (!responseCompleted && !outputCommitted && Attempt is { } current)
        {
            if (exception is null)
            {
                current.End(RouteAttemptOutcome.Abandoned);
            }
            else
            {
                current.Fail(exception, routerTimeouts: true, _callerToken);
            }
        }

        if (!isTerminal && exception is { } failure && (!_shouldFallOver(failure) || _next >= Targets.Count))
        {
            // Not a failure another target would cure, or no target left: stop here and surface the original exception.
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
