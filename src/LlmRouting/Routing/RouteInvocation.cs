using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using LlmRouting.Agents;
using LlmRouting.Diagnostics;
using LlmRouting.Execution;

namespace LlmRouting;

/// <summary>
/// The client <see cref="LlmRouterChatClient"/> selects for one request: it carries the decision, has the
/// executor carry it out, stamps <see cref="RouteInfo"/> on the response or every update, and tells the
/// observers when the request has ended.
/// </summary>
internal sealed class RouteInvocation : IChatClient
{
    private readonly RouterState _state;
    private readonly RouteExecution _route;
    private readonly long _startTimestamp;

    public RouteInvocation(RouterState state, RouteExecution route, long startTimestamp)
    {
        _state = state;
        _route = route;
        _startTimestamp = startTimestamp;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Task<ChatResponse> pending;
        try
        {
            ThrowIfLoopRefused();
            pending = _state.Executor.GetResponseAsync(_route, messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            Fail(ex, cancellationToken);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Succeed(pending.Result);
            return pending;
        }

        return AwaitAsync(pending, cancellationToken);
    }

    private async Task<ChatResponse> AwaitAsync(Task<ChatResponse> pending, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(ex, cancellationToken);
            throw;
        }

        Succeed(response);
        return response;
    }

    private void Succeed(ChatResponse response)
    {
        if (_state.Agents is not null)
        {
            foreach (ChatMessage message in response.Messages)
            {
                AgentSessions.ToolCallsRequested(_route.Request, message.Contents);
            }
        }

        response.ModelId ??= _route.ServedBy.Profile.ModelId; // what a telemetry decorator above reports as the response's model
        response.SetRouteInfo(_route.Info);
        Complete(RouteOutcome.Succeeded, null);
    }

    private void Fail(Exception exception, CancellationToken cancellationToken) =>
        Complete(AttemptFailures.RequestOutcome(exception, cancellationToken), exception);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            ThrowIfLoopRefused();
        }
        catch (AgentLoopDetectedException ex)
        {
            Fail(ex, cancellationToken);
            throw;
        }

        IAsyncEnumerator<ChatResponseUpdate> e = _state.Executor.GetStreamingResponseAsync(_route, messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        RouteOutcome outcome = RouteOutcome.Abandoned;
        Exception? error = null;
        UnreadStreamRelease? release = null; // watches the time limit while the caller holds an update (the caller may never come back)
        try
        {
            while (true)
            {
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    error = ex;
                    outcome = AttemptFailures.RequestOutcome(ex, cancellationToken);
                    throw;
                }

                ChatResponseUpdate update = e.Current;
                if (_state.Agents is not null)
                {
                    AgentSessions.ToolCallsRequested(_route.Request, update.Contents);
                }

                update.ModelId ??= _route.ServedBy.Profile.ModelId;
                update.SetRouteInfo(_route.Info);
                release ??= WatchUnread(e, cancellationToken);
                release?.Park();
                yield return update;
                if (release?.Resume() == false)
                {
                    throw _route.Expired(cancellationToken); // released while the caller held the update: the limit ran out
                }
            }

            outcome = RouteOutcome.Succeeded;
        }
        finally
        {
            if (release is null || await release.CloseAsync().ConfigureAwait(false))
            {
                await e.DisposeAsync().ConfigureAwait(false);
                Complete(outcome, error);
            }
        }
    }

    /// <summary>Watches the request's time limit (else the caller's token) for a stream the caller stops reading; <see langword="null"/> when nothing can end it.</summary>
    private UnreadStreamRelease? WatchUnread(IAsyncEnumerator<ChatResponseUpdate> stream, CancellationToken cancellationToken)
    {
        CancellationToken limit = _route.TimeLimit.CanBeCanceled ? _route.TimeLimit : cancellationToken;
        return limit.CanBeCanceled ? new UnreadStreamRelease(stream, this, limit, cancellationToken) : null;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(RouteInfo) ? _route.Info : null;
    }

    public void Dispose()
    {
        // The invocation owns nothing: targets belong to the router's registry.
    }

    /// <summary>Loop detection tripped with <see cref="LoopAction.Throw"/>: the call is refused before any target is called.</summary>
    private void ThrowIfLoopRefused()
    {
        if (_route.Request.Agent?.Trip is { Action: LoopAction.Throw } trip)
        {
            throw new AgentLoopDetectedException(trip, _route.Request.Agent.Session?.Key, _route.Info.RouteId);
        }
    }

    /// <summary>Ends the request: freezes the route and tells the observers (once per request).</summary>
    internal void Complete(RouteOutcome outcome, Exception? error)
    {
        RouteInfo route = _route.Complete(outcome, Stopwatch.GetElapsedTime(_startTimestamp));

        // The turn's totals are on the route before any observer (ledger, audit, metrics) reads it.
        _state.Agents?.Complete(route);
        if (error is not null && outcome == RouteOutcome.Failed)
        {
            Log.RouteFailed(_state.Logger, route.RouteId, route.Target, error.GetType().Name, route.Attempts.Count);
        }

        IReadOnlyList<IRouteObserver> observers = _state.Observers;
        for (int o = 0; o < observers.Count; o++)
        {
            IRouteObserver observer = observers[o];
            try
            {
                observer.OnRouteCompleted(route);
            }
#pragma warning disable CA1031 // An observer's bug must never fail the caller's request; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ObserverFailed(_state.Logger, ex, observer.GetType().Name);
            }
        }
    }
}
