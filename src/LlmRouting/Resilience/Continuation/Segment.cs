using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>One stretch of a (possibly spliced) stream: its updates and, when an idle timeout is set, the timer that cancels it when it stalls.</summary>
/// <remarks>A mutable struct held by the executor's iterator, so a segment allocates nothing of its own; never copy it.</remarks>
internal struct Segment
{
    private LinkedTokenSource? _idle;
    private IAsyncEnumerator<ChatResponseUpdate>? _updates;

    /// <param name="idleTimer">The segment's idle timer (linked to the request's token), or <see langword="null"/> without an idle timeout.</param>
    public Segment(LinkedTokenSource? idleTimer)
    {
        _idle = idleTimer;
    }

    public readonly IAsyncEnumerator<ChatResponseUpdate> Updates => _updates!;

    /// <summary>The token the segment's streams run on: the idle timer's, else the request's.</summary>
    /// <param name="token">The request's token.</param>
    public readonly CancellationToken Token(CancellationToken token) => _idle?.Token ?? token;

    /// <summary>Gets a value indicating whether the idle timer (not the caller or the budget) cancelled the stream.</summary>
    /// <param name="token">The request's token.</param>
    public readonly bool IdleExpired(CancellationToken token) => _idle is { IsCancellationRequested: true } && !token.IsCancellationRequested;

    /// <summary>Starts reading <paramref name="updates"/> (the segment's first stream, or the one taking over from a stream that failed before any update).</summary>
    public void Start(IAsyncEnumerator<ChatResponseUpdate> updates) => _updates = updates;

    /// <summary>(Re)starts the idle timer: the next update must arrive within <paramref name="idleTimeout"/>. Only runs once output has started.</summary>
    public readonly void ArmIdleTimer(TimeSpan? idleTimeout)
    {
        if (_idle is not null && idleTimeout is { } timeout)
        {
            _idle.CancelAfter(timeout);
        }
    }

    /// <summary>Takes the current stream out of the segment (for the caller to dispose); the idle timer stays.</summary>
    public IAsyncEnumerator<ChatResponseUpdate> Release()
    {
        IAsyncEnumerator<ChatResponseUpdate> updates = _updates!;
        _updates = null;
        return updates;
    }

    /// <summary>Disposes the current stream, then the idle timer; each once, even if called again after a failure to dispose.</summary>
    public ValueTask DisposeAsync()
    {
        // Not an async method: an async struct method would clear a copy of the fields, not the iterator's.
        IAsyncEnumerator<ChatResponseUpdate>? updates = _updates;
        LinkedTokenSource? idle = _idle;
        _updates = null;
        _idle = null;
        return DisposeAsync(updates, idle);
    }

    private static async ValueTask DisposeAsync(IAsyncEnumerator<ChatResponseUpdate>? updates, LinkedTokenSource? idle)
    {
        try
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            idle?.Dispose();
        }
    }
}
