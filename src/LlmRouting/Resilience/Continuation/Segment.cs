using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>One stretch of a (possibly spliced) stream: its updates and, when an idle timeout is set, the timer that cancels it when it stalls.</summary>
internal sealed class Segment : IAsyncDisposable
{
    private readonly CancellationTokenSource? _idle;
    private readonly TimeSpan? _idleTimeout;
    private readonly CancellationTokenRegistration _link;
    private readonly CancellationToken _outer;

    public Segment(IAsyncEnumerator<ChatResponseUpdate> updates, CancellationTokenSource? idle, TimeSpan? idleTimeout, CancellationTokenRegistration link = default, CancellationToken outer = default)
    {
        Updates = updates;
        _idle = idle;
        _idleTimeout = idleTimeout;
        _link = link;
        _outer = outer;
    }

    public IAsyncEnumerator<ChatResponseUpdate> Updates { get; }

    /// <summary>Gets a value indicating whether the idle timer (not the caller or the budget) cancelled the stream.</summary>
    public bool IdleExpired => _idle is { IsCancellationRequested: true } && !_outer.IsCancellationRequested;

    /// <summary>(Re)starts the idle timer: the next update must arrive within the idle timeout. Only runs once output has started.</summary>
    public void ArmIdleTimer()
    {
        if (_idle is not null && _idleTimeout is { } timeout)
        {
            _idle.CancelAfter(timeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Updates.DisposeAsync().ConfigureAwait(false);
        await _link.DisposeAsync().ConfigureAwait(false);
        _idle?.Dispose();
    }
}
