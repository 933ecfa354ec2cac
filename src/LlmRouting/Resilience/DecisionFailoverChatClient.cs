using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// A per-request <see cref="FailoverChatClient"/> over the targets one decision chose. MEAI's base owns the
/// attempt loop and its streaming rule — no failover once an update has reached the caller; this class picks
/// the next target, records every attempt in the <see cref="RouteInfo"/>, and stops the chain on a failure
/// that another target would not cure (e.g. 400 or 401).
/// </summary>
internal sealed class DecisionFailoverChatClient : FailoverChatClient
{
    private readonly RouteInfo _route;
    private readonly IReadOnlyList<RouteTarget> _chain;
    private readonly Func<Exception, bool> _shouldFallOver;
    private int _next;

    public DecisionFailoverChatClient(RouteInfo route, IReadOnlyList<RouteTarget> chain, Func<Exception, bool> shouldFallOver)
    {
        _route = route;
        _chain = chain;
        _shouldFallOver = shouldFallOver;
        MaximumAttemptsPerRequest = chain.Count;
    }

    public RouteTarget Current => _chain[Math.Max(0, _next - 1)];

    protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        RouteTarget target = _chain[_next++];
        _route.ServedBy = target;
        return new(target.Client);
    }

    protected override ValueTask OnRoutingUpdateAsync(RoutingContext context, FailoverChatClientAttempt attempt, bool isTerminal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        RouteTarget target = Current;
        RouteAttemptOutcome outcome =
            attempt.ResponseCompleted ? RouteAttemptOutcome.Succeeded :
            attempt.Exception is null ? RouteAttemptOutcome.Abandoned :
            attempt.Exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? RouteAttemptOutcome.Canceled :
            RouteAttemptOutcome.Failed;

        // Successful attempts are recorded by the executor, which knows the usage and cost.
        if (outcome != RouteAttemptOutcome.Succeeded)
        {
            _route.AddAttempt(new RouteAttempt(target.Name, outcome, attempt.Duration, attempt.TimeToFirstUpdate, attempt.Exception?.GetType().Name));
        }

        if (!isTerminal && attempt.Exception is { } failure && !_shouldFallOver(failure))
        {
            // Not a failure another target would cure: stop here and surface the original exception.
            ExceptionDispatchInfo.Throw(failure);
        }

        return default;
    }
}
