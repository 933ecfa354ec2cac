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

    private readonly IAsyncEnumerator<ChatResponseUpdate> _stream;
    private readonly RouteInvocation _owner;
    private readonly CancellationToken _callerToken;
    private CancellationTokenRegistration _registration;
    private Task? _released;
    private int _state;

    /// <param name="stream">The executor's stream.</param>
    /// <param name="owner">The invocation whose route completes (observers included) when the stream is released here.</param>
    /// <param name="limit">The token that ends the wait: the request's time limit, else the caller's.</param>
    /// <param name="callerToken">The caller's token: its cancellation makes the route cancelled rather than abandoned.</param>
    public UnreadStreamRelease(IAsyncEnumerator<ChatResponseUpdate> stream, RouteInvocation owner, CancellationToken limit, CancellationToken callerToken)
    {
        _stream = stream;
        _owner = owner;
        _callerToken = callerToken;
        _registration = limit.UnsafeRegister(static s => ((UnreadStreamRelease)s!).OnLimit(), this);
    }

    /// <summary>An update is about to be handed to the caller.</summary>
    public void Park() => Interlocked.CompareExchange(ref _state, Parked, Reading);

    /// <summary>The caller asked for the next update.</summary>
    /// <returns><see langword="false"/> when the stream was released meanwhile (the caller gets the limit's exception).</returns>
    public bool Resume()
    {
        int previous = Interlocked.CompareExchange(ref _state, Reading, Parked);
        return previous is Parked or Reading;
    }

    /// <summary>The stream ends on the caller's side (completed, failed or disposed).</summary>
    /// <returns><see langword="true"/> when the caller's side still has to dispose the executor's stream and complete the route; otherwise it was released here, and this waits for that.</returns>
    public async ValueTask<bool> CloseAsync()
    {
        _registration.Dispose();
        if (Interlocked.Exchange(ref _state, Closed) != Released)
        {
            return true;
        }

        Task? released;
        var spin = default(SpinWait);
        while ((released = Volatile.Read(ref _released)) is null)
        {
            spin.SpinOnce(); // the limit's callback is between claiming the release and starting it
        }

        await released.ConfigureAwait(false);
        return false;
    }

    private void OnLimit()
    {
        // Only a parked stream is released here: while reading, the executor's own limit handling ends it; once closed, nothing is left.
        if (Interlocked.CompareExchange(ref _state, Released, Parked) == Parked)
        {
            Volatile.Write(ref _released, Task.Run(ReleaseAsync)); // off the timer's (or the cancelling caller's) thread
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

        _owner.Complete(_callerToken.IsCancellationRequested ? RouteOutcome.Canceled : RouteOutcome.Abandoned, failure);
    }
}
