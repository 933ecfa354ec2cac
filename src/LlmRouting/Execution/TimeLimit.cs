namespace LlmRouting.Execution;

/// <summary>
/// A token source that cancels itself when a delay on a <see cref="TimeProvider"/> runs out and is cancelled by a caller's
/// token too: the fallback executor's total budget, and a stream segment's idle timer (restarted after every update).
/// </summary>
/// <remarks>
/// A plain <see cref="CancellationTokenSource(TimeSpan, TimeProvider)"/> linked to the caller's token by one registration,
/// which <see cref="Dispose(bool)"/> removes, so a long-lived caller token does not collect a registration per request.
/// </remarks>
internal sealed class TimeLimit : CancellationTokenSource
{
    private readonly CancellationToken _linkedTo;
    private readonly CancellationTokenRegistration _link;

    /// <param name="timeProvider">The clock the delay runs on.</param>
    /// <param name="delay">When to cancel; <see langword="null"/> to wait for <see cref="Restart"/>.</param>
    /// <param name="linkedTo">The caller's token.</param>
    public TimeLimit(TimeProvider timeProvider, TimeSpan? delay, CancellationToken linkedTo)
        : base(delay ?? Timeout.InfiniteTimeSpan, timeProvider)
    {
        _linkedTo = linkedTo;
        _link = linkedTo.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), this);
    }

    /// <summary>Gets a value indicating whether the limit ran out (the token is cancelled and the caller's is not).</summary>
    public bool HasExpired => IsCancellationRequested && !_linkedTo.IsCancellationRequested;

    /// <summary>Whether the limit ran out and <paramref name="callerToken"/> was not cancelled: a cancellation that is this limit's.</summary>
    public bool ExpiredFor(CancellationToken callerToken) => HasExpired && !callerToken.IsCancellationRequested;

    /// <summary>(Re)starts the delay from now, on the clock the limit was created on.</summary>
    public void Restart(TimeSpan delay) => CancelAfter(delay);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Unlinking first waits for a caller cancellation already running, so nothing cancels the source after this.
            _link.Dispose();
        }

        base.Dispose(disposing);
    }
}
