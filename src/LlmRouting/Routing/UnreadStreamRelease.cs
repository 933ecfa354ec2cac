using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Ends a routed stream the caller stopped reading without disposing it: when the request's time limit (or the caller's token)
/// runs out while the stream waits for the caller to ask for the next update, the executor's stream is disposed — its attempt
/// ends as abandoned and is charged, its timers and the target's stream are released — and the route completes and reaches the
/// observers, once. Without a time limit or a cancellable token nothing can end it: such a stream is held until it is disposed.
/// </summary>
/// <remarks>Thread-safe: the limit fires on a timer thread while the caller may resume or dispose the stream.</remarks>
internal sealed class UnreadStreamRelease
{
    private const int Reading = 0; // the executor's stream is in use (a move in flight, or the update being stamped)
    private const int Parked = 1; // an update was handed to the caller, who has not asked for the next
    private const int Released = 2; // the limit ran out while parked: released here
    private const int Closed = 3; // the stream ended on the caller's side

    private readonly Lock _gate = new();
    private readonly IAsyncEnumerator<ChatResponseUpdate> _stream;
    private readonly Action<RouteOutcome, Exception?> _complete;
    private readonly CancellationToken _callerToken;
    private CancellationTokenRegistration _registration;
    private Task? _released;
    private int _state;

    /// <param name="stream">The executor's stream.</param>
    /// <param name="complete">Completes the route with an outcome and the failure to dispose, if any (observers included).</param>
    /// <param name="limit">The token that ends the wait: the request's time limit, else the caller's.</param>
    /// <param name="callerToken">The caller's token: its cancellation makes the route cancelled rather than abandoned.</param>
    public UnreadStreamRelease(IAsyncEnumerator<ChatResponseUpdate> stream, Action<RouteOutcome, Exception?> complete, CancellationToken limit, CancellationToken callerToken)
    {
        _stream = stream;
        _complete = complete;
        _callerToken = callerToken;
        _registration = limit.UnsafeRegister(static s => ((UnreadStreamRelease)s!).OnLimit(), this);
    }

    /// <summary>An update is about to be handed to the caller.</summary>
    public void Park()
    {
        lock (_gate)
        {
            if (_state == Reading)
            {
                _state = Parked;
            }
        }
    }

    /// <summary>The caller asked for the next update.</summary>
    /// <returns><see langword="false"/> when the stream was released meanwhile (the caller gets the limit's exception).</returns>
    public bool Resume()
    {
        lock (_gate)
        {
            if (_state == Parked)
            {
                _state = Reading;
            }

            return _state == Reading;
        }
    }

    /// <summary>The stream ends on the caller's side (completed, failed or disposed).</summary>
    /// <returns><see langword="true"/> when the caller's side still has to dispose the executor's stream and complete the route; otherwise it was released here, and this waits for that.</returns>
    public async ValueTask<bool> CloseAsync()
    {
        _registration.Dispose();
        Task? released;
        lock (_gate)
        {
            released = _state == Released ? _released : null;
            _state = Closed;
        }

        if (released is null)
        {
            return true;
        }

        await released.ConfigureAwait(false);
        return false;
    }

    private void OnLimit()
    {
        lock (_gate)
        {
            if (_state != Parked)
            {
                return; // reading: the executor's own limit handling ends it; closed: nothing left to do
            }

            _state = Released;
            _released = Task.Run(ReleaseAsync); // off the timer's (or the caller's cancelling) thread
        }
    }

    private async Task ReleaseAsync()
    {
        Exception? failure = null;
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nobody may be waiting: the failure goes to the route's completion instead of an unobserved task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        _complete(_callerToken.IsCancellationRequested ? RouteOutcome.Canceled : RouteOutcome.Abandoned, failure);
    }
}
