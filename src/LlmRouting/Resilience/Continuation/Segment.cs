using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>One stretch of a (possibly spliced) stream: its updates and, when an idle timeout is set, the timer that cancels it when it stalls.</summary>
internal sealed class Segment : IAsyncDisposable
{
    private readonly TimeLimit? _idle; // null: no idle limit
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _requestToken;
    private IAsyncEnumerator<ChatResponseUpdate>? _updates;
    private bool _hasOutput;

    /// <param name="idleTimeout">How long the stream may go without an update once it has started; <see langword="null"/> for no limit.</param>
    /// <param name="timeProvider">The clock the idle timer runs on.</param>
    /// <param name="requestToken">The request's token (the caller's, or the total budget's).</param>
    public Segment(TimeSpan? idleTimeout, TimeProvider timeProvider, CancellationToken requestToken)
    {
        _idleTimeout = idleTimeout ?? Timeout.InfiniteTimeSpan;
        _idle = idleTimeout is null ? null : new TimeLimit(timeProvider, delay: null, requestToken);
        _requestToken = requestToken;
    }

    /// <summary>Gets the token the segment's streams run on: the idle timer's, else the request's.</summary>
    public CancellationToken Token => _idle?.Token ?? _requestToken;

    public IAsyncEnumerator<ChatResponseUpdate> Updates => _updates!;

    /// <summary>Gets a value indicating whether the idle timer (not the caller or the budget) cancelled the stream.</summary>
    public bool IdleExpired => _idle is { HasExpired: true };

    /// <summary>
    /// Starts reading <paramref name="updates"/> (the segment's first stream, or the one taking over from a stream that failed
    /// before any update), every move raced against the segment's token: a stall the target does not end on its token ends on
    /// the segment's (idle timer, budget, caller) all the same.
    /// </summary>
    public void Start(IAsyncEnumerator<ChatResponseUpdate> updates) => _updates = new RacedEnumerator<ChatResponseUpdate>(updates, Token);

    /// <summary>
    /// An update arrived: the idle timer stops until the next one is asked for (<see cref="ArmIdleTimer"/>), so the time the
    /// caller takes with an update — or the scheduler takes to resume it, under load — never counts as the target's silence.
    /// </summary>
    public void PauseIdleTimer()
    {
        _hasOutput = true;
        _idle?.Restart(Timeout.InfiniteTimeSpan);
    }

    /// <summary>(Re)starts the idle timer as the next update is asked for: it must arrive in time. Only once output has started.</summary>
    public void ArmIdleTimer()
    {
        if (_hasOutput && _idle is not null)
        {
            _idle.Restart(_idleTimeout);
        }
    }

    /// <summary>Takes the current stream out of the segment (for the caller to dispose); the idle timer stays.</summary>
    public IAsyncEnumerator<ChatResponseUpdate> Release()
    {
        IAsyncEnumerator<ChatResponseUpdate> updates = _updates!;
        _updates = null;
        return updates;
    }

    /// <summary>Disposes the current stream, then the idle timer.</summary>
    public async ValueTask DisposeAsync()
    {
        IAsyncEnumerator<ChatResponseUpdate>? updates = _updates;
        _updates = null;
        try
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _idle?.Dispose();
        }
    }
}
