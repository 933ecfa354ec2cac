using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>
/// A pooled cancellation source linked to a caller's token: cancelled when that token is, when <see cref="Cancel"/>
/// is called, or (optionally) when a delay runs out on a <see cref="TimeProvider"/>. The fallback executor's total
/// budget and a target pipeline's per-stream source are both one.
/// </summary>
/// <remarks>
/// <para>
/// Pooled, as Polly pools its timeout strategy's token sources: a source that was not cancelled and whose timer has
/// not fired is reset (<see cref="CancellationTokenSource.TryReset"/>) and reused, so an operation that ends in time
/// allocates nothing for it. A delay on any clock but <see cref="TimeProvider.System"/> (a FakeTimeProvider in tests)
/// needs that provider's timer, which cannot be reset: such a source is created for the operation and disposed after.
/// </para>
/// <para>
/// The link to the caller's token is released on <see cref="Dispose"/>, so a long-lived caller token does not collect a
/// registration per operation and cancelling it later does not reach a finished operation's source. Dispose exactly
/// once, when nothing uses <see cref="Token"/> any more. As with Polly's pooled tokens, a target must not keep using the
/// token once its call has completed: a reused source may later be cancelled for another request.
/// </para>
/// </remarks>
internal sealed class LinkedTokenSource : IDisposable
{
    private const int MaxPooled = 256;

    private static readonly ConcurrentQueue<LinkedTokenSource> Pool = new();
    private static LinkedTokenSource? s_fast;
    private static int s_pooled;

    private readonly CancellationTokenSource _source;
    private CancellationTokenRegistration _link;

    private LinkedTokenSource(CancellationTokenSource source)
    {
        _source = source;
    }

    /// <summary>Gets the token.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gets a value indicating whether the token is cancelled.</summary>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>Starts a source linked to <paramref name="linkedTo"/>.</summary>
    /// <param name="linkedTo">The caller's token.</param>
    /// <returns>The source; dispose it when the operation has ended.</returns>
    public static LinkedTokenSource Start(CancellationToken linkedTo) => Link(Rent() ?? new LinkedTokenSource(new CancellationTokenSource()), linkedTo);

    /// <summary>Starts a source that cancels itself after <paramref name="delay"/> on <paramref name="timeProvider"/>, linked to <paramref name="linkedTo"/>.</summary>
    /// <param name="delay">When to cancel.</param>
    /// <param name="timeProvider">The clock the delay runs on.</param>
    /// <param name="linkedTo">The caller's token.</param>
    /// <returns>The source; dispose it when the operation has ended.</returns>
    public static LinkedTokenSource Start(TimeSpan delay, TimeProvider timeProvider, CancellationToken linkedTo)
    {
        LinkedTokenSource source;
        if (timeProvider == TimeProvider.System && Rent() is { } pooled)
        {
            source = pooled;
            source._source.CancelAfter(delay);
        }
        else
        {
            source = new LinkedTokenSource(new CancellationTokenSource(delay, timeProvider));
        }

        return Link(source, linkedTo);
    }

    /// <summary>Cancels the token.</summary>
    public void Cancel() => _source.Cancel();

    /// <summary>(Re)schedules the cancellation after <paramref name="delay"/>, on the clock the source was started on.</summary>
    /// <param name="delay">When to cancel.</param>
    public void CancelAfter(TimeSpan delay) => _source.CancelAfter(delay);

    /// <summary>Ends the source: unlinks it from the caller's token, then pools it when it can be reset, else disposes it.</summary>
    public void Dispose()
    {
        // Unlinking first waits for a caller cancellation already running, so nothing cancels the source after this.
        _link.Dispose();
        _link = default;
        if (_source.TryReset())
        {
            Return(this);
        }
        else
        {
            _source.Dispose();
        }
    }

    private static LinkedTokenSource Link(LinkedTokenSource source, CancellationToken linkedTo)
    {
        if (linkedTo.CanBeCanceled)
        {
            source._link = linkedTo.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source._source);
        }

        return source;
    }

    private static LinkedTokenSource? Rent()
    {
        LinkedTokenSource? fast = s_fast;
        if (fast is not null && Interlocked.CompareExchange(ref s_fast, null, fast) == fast)
        {
            return fast;
        }

        if (Pool.TryDequeue(out LinkedTokenSource? pooled))
        {
            Interlocked.Decrement(ref s_pooled);
            return pooled;
        }

        return null;
    }

    private static void Return(LinkedTokenSource source)
    {
        if (s_fast is null && Interlocked.CompareExchange(ref s_fast, source, null) is null)
        {
            return;
        }

        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            Pool.Enqueue(source);
            return;
        }

        Interlocked.Decrement(ref s_pooled);
        source._source.Dispose();
    }
}
