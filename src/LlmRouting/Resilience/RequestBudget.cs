using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>
/// The total time budget of one request (<see cref="FallbackOptions.TotalTimeout"/>): a token cancelled when the
/// budget runs out on the <see cref="TimeProvider"/> or when the caller's token is cancelled.
/// </summary>
/// <remarks>
/// <para>
/// Pooled, as Polly pools its timeout strategy's token sources: on the system clock, a budget whose timer has not
/// fired and that was not cancelled is reset (<see cref="CancellationTokenSource.TryReset"/>) and reused, so a request
/// that ends in time allocates nothing for its budget. With any other <see cref="TimeProvider"/> (a FakeTimeProvider
/// in tests) the source cannot be reset and a new one is created per request.
/// </para>
/// <para>
/// The link to the caller's token is released when the budget is disposed, so a long-lived caller token does not
/// collect one registration per request, and cancelling it later does not touch a finished request's source.
/// Dispose exactly once, when nothing uses <see cref="Token"/> any more.
/// </para>
/// </remarks>
internal sealed class RequestBudget : IDisposable
{
    private const int MaxPooled = 256;

    private static readonly ConcurrentQueue<RequestBudget> Pool = new();
    private static RequestBudget? s_fast;
    private static int s_pooled;

    private readonly CancellationTokenSource _source;
    private readonly bool _resettable;
    private CancellationTokenRegistration _link;

    private RequestBudget(CancellationTokenSource source, bool resettable)
    {
        _source = source;
        _resettable = resettable;
    }

    /// <summary>Gets the token: the budget and the caller's cancellation in one.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gets a value indicating whether the token is cancelled (the budget ran out or the caller cancelled).</summary>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>Starts a budget of <paramref name="timeout"/> on <paramref name="timeProvider"/>, also ended by <paramref name="cancellationToken"/>.</summary>
    /// <param name="timeout">The budget.</param>
    /// <param name="timeProvider">The clock the budget runs on.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The running budget; dispose it when the request has ended.</returns>
    public static RequestBudget Start(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        RequestBudget budget;
        if (timeProvider == TimeProvider.System && Rent() is { } pooled)
        {
            budget = pooled;
            budget._source.CancelAfter(timeout);
        }
        else
        {
            budget = new RequestBudget(new CancellationTokenSource(timeout, timeProvider), timeProvider == TimeProvider.System);
        }

        if (cancellationToken.CanBeCanceled)
        {
            budget._link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), budget._source);
        }

        return budget;
    }

    /// <summary>Ends the budget: unlinks it from the caller's token, then pools it when it can be reset, else disposes it.</summary>
    public void Dispose()
    {
        // Unlinking first waits for a caller cancellation already running, so nothing cancels the source after this.
        _link.Dispose();
        _link = default;
        if (_resettable && _source.TryReset())
        {
            Return(this);
        }
        else
        {
            _source.Dispose();
        }
    }

    private static RequestBudget? Rent()
    {
        RequestBudget? fast = s_fast;
        if (fast is not null && Interlocked.CompareExchange(ref s_fast, null, fast) == fast)
        {
            return fast;
        }

        if (Pool.TryDequeue(out RequestBudget? pooled))
        {
            Interlocked.Decrement(ref s_pooled);
            return pooled;
        }

        return null;
    }

    private static void Return(RequestBudget budget)
    {
        if (s_fast is null && Interlocked.CompareExchange(ref s_fast, budget, null) is null)
        {
            return;
        }

        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            Pool.Enqueue(budget);
            return;
        }

        Interlocked.Decrement(ref s_pooled);
        budget._source.Dispose();
    }
}
