namespace LlmRouting;

/// <summary>
/// A token source linked to a caller's token that also cancels itself when a delay on a <see cref="TimeProvider"/> runs
/// out: the fallback executor's total budget, and a stream segment's idle timer (restarted after every update).
/// </summary>
/// <remarks>A plain <see cref="CancellationTokenSource.CreateLinkedTokenSource(CancellationToken)"/> and an <see cref="ITimer"/>; disposing it unlinks it from the caller.</remarks>
internal sealed class TimeLimit : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly ITimer _timer;
    private volatile bool _expired;

    /// <param name="timeProvider">The clock the delay runs on.</param>
    /// <param name="delay">When to cancel; <see langword="null"/> to wait for <see cref="Restart"/>.</param>
    /// <param name="linkedTo">The caller's token.</param>
    public TimeLimit(TimeProvider timeProvider, TimeSpan? delay, CancellationToken linkedTo)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(linkedTo);
        _timer = timeProvider.CreateTimer(static s => ((TimeLimit)s!).Expire(), this, delay ?? Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets the token: cancelled by the caller or when the limit runs out.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gets a value indicating whether the limit (not the caller) ran out.</summary>
    public bool HasExpired => _expired;

    /// <summary>Whether the limit ran out and the caller did not cancel: a cancellation that is this limit's.</summary>
    public bool ExpiredFor(CancellationToken callerToken) => _expired && !callerToken.IsCancellationRequested;

    /// <summary>(Re)starts the delay from now.</summary>
    public void Restart(TimeSpan delay) => _timer.Change(delay, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _timer.Dispose();
        _source.Dispose();
    }

    private void Expire()
    {
        _expired = true;
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation ended as the timer fired.
        }
    }
}
