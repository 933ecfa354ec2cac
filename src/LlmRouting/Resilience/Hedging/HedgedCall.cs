using System.Diagnostics;
using Microsoft.Extensions.AI;
using Polly;

namespace LlmRouting;

/// <summary>
/// One hedged call (a response, or the start of a stream): the targets it may use, the hedging delay, and what each
/// started attempt did. Polly's hedging strategy decides when to start the next target and which result wins.
/// </summary>
/// <typeparam name="T">What an attempt produces: a response, or a stream that has produced its first update.</typeparam>
internal abstract class HedgedCall<T>
    where T : class
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly LatencyWindow _latencies;

    protected HedgedCall(RouteInfo route, RouteTarget[] targets, TimeSpan delay, LatencyWindow latencies)
    {
        Route = route;
        Targets = targets;
        Delay = delay;
        _latencies = latencies;
    }

    public IReadOnlyList<RouteTarget> Targets { get; }

    public TimeSpan Delay { get; }

    /// <summary>Gets how many targets were started.</summary>
    public int Started
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    protected RouteInfo Route { get; }

    public async ValueTask<Outcome<T>> CallAsync(RouteTarget target, CancellationToken cancellationToken)
    {
        var entry = new Entry(target, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            _entries.Add(entry);
        }

        try
        {
            T result = await StartAsync(target, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                entry.Complete(result, null);
            }

            _latencies.Record(target.Name, entry.Duration);
            return Outcome.FromResult(result);
        }
#pragma warning disable CA1031 // The failure is returned to Polly as an outcome, which decides what to do with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                entry.Complete(null, ex);
            }

            return Outcome.FromException<T>(ex);
        }
    }

    /// <summary>
    /// Records the started attempts in the route — losers (with their usage, or an estimate when they reported none) and
    /// failures — and charges the winner (<see cref="ChargeWinner"/>); the caller records the winner's attempt.
    /// </summary>
    /// <returns>The winner's cost.</returns>
    public decimal? Record(T? winner, CancellationToken callerToken)
    {
        decimal? winnerCost = null;

        // Snapshot under the lock: an attempt still running counts as superseded (or timed out) and is charged the estimate.
        (RouteTarget Target, T? Result, Exception? Error, TimeSpan Duration)[] entries;
        lock (_gate)
        {
            entries = [.. _entries.Select(e => (e.Target, e.Result, e.Error, e.Result is null && e.Error is null ? Stopwatch.GetElapsedTime(e.Start) : e.Duration))];
        }

        foreach ((RouteTarget target, T? completed, Exception? failure, TimeSpan duration) in entries)
        {
            if (completed is { } result)
            {
                if (ReferenceEquals(result, winner))
                {
                    Route.ServedBy = target;
                    winnerCost = ChargeWinner(target, result);
                }
                else
                {
                    AttemptCharge.Record(Route, target, new RouteAttempt(target.Name, RouteAttemptOutcome.Superseded, duration), UsageOf(result), OutputOf(result));
                }
            }
            else if (failure is { } error && error is not OperationCanceledException)
            {
                Route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Failed, duration, Error: error.GetType().Name));
            }
            else if (callerToken.IsCancellationRequested)
            {
                Route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Canceled, duration));
            }
            else
            {
                // Cancelled because another attempt won — or, with no winner, because the time budget ran out. The
                // provider has read the prompt either way, so the input tokens are charged as an estimate.
                RouteAttempt attempt = winner is null
                    ? new RouteAttempt(target.Name, RouteAttemptOutcome.Failed, duration, Error: nameof(TimeoutException))
                    : new RouteAttempt(target.Name, RouteAttemptOutcome.Superseded, duration);
                AttemptCharge.Record(Route, target, attempt, null, estimatedOutputTokens: 0);
            }
        }

        return winnerCost;
    }

    /// <summary>Starts the call on one target; completes when it has produced its result (for a stream: its first update).</summary>
    protected abstract Task<T> StartAsync(RouteTarget target, CancellationToken cancellationToken);

    /// <summary>The usage a result reported, if any.</summary>
    protected abstract UsageDetails? UsageOf(T result);

    /// <summary>The text a result produced, for the estimate of a loser that reported no usage.</summary>
    protected abstract string OutputOf(T result);

    /// <summary>Adds the winner's usage to the route and returns its cost.</summary>
    protected abstract decimal? ChargeWinner(RouteTarget target, T result);

    private sealed class Entry(RouteTarget target, long start)
    {
        public RouteTarget Target { get; } = target;

        public long Start { get; } = start;

        public T? Result { get; private set; }

        public Exception? Error { get; private set; }

        public TimeSpan Duration { get; private set; }

        public void Complete(T? result, Exception? error)
        {
            Duration = Stopwatch.GetElapsedTime(Start);
            Result = result;
            Error = error;
        }
    }
}
