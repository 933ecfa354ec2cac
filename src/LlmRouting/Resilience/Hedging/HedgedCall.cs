using Microsoft.Extensions.AI;
using Polly;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

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

    protected HedgedCall(RouteExecution route, RouteTarget[] targets, TimeSpan delay, LatencyWindow latencies)
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

    protected RouteExecution Route { get; }

    public async ValueTask<Outcome<T>> CallAsync(RouteTarget target, CancellationToken cancellationToken)
    {
        var entry = new Entry(Route.Begin(target, serving: false));
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

            _latencies.Record(target.Name, entry.Attempt.Elapsed);
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
    /// Ends the started attempts — losers (charged their usage, or an estimate when they reported none) and failures — and
    /// charges the winner (<see cref="ChargeWinner"/>), which serves from now on; the caller ends the winner's attempt.
    /// </summary>
    /// <returns>The winner's attempt (open), or <see langword="null"/> without a winner.</returns>
    public TargetAttempt? Record(T? winner, CancellationToken callerToken)
    {
        TargetAttempt? won = null;

        // Snapshot under the lock: an attempt still running counts as superseded (or timed out) and is charged the estimate.
        (TargetAttempt Attempt, T? Result, Exception? Error)[] entries;
        lock (_gate)
        {
            entries = [.. _entries.Select(e => (e.Attempt, e.Result, e.Error))];
        }

        foreach ((TargetAttempt attempt, T? completed, Exception? failure) in entries)
        {
            if (completed is { } result)
            {
                if (ReferenceEquals(result, winner))
                {
                    Route.Serve(attempt.Target);
                    ChargeWinner(attempt, result);
                    won = attempt;
                }
                else
                {
                    attempt.ChargeOrEstimate(UsageOf(result), TokenEstimator.Estimate(OutputOf(result)));
                    attempt.End(RouteAttemptOutcome.Superseded);
                }
            }
            else if (failure is { } error && error is not OperationCanceledException)
            {
                attempt.End(RouteAttemptOutcome.Failed, error.GetType().Name);
            }
            else if (callerToken.IsCancellationRequested)
            {
                attempt.End(RouteAttemptOutcome.Canceled);
            }
            else
            {
                // Cancelled because another attempt won — or, with no winner, because the time budget ran out. The
                // provider has read the prompt either way, so the input tokens are charged as an estimate.
                attempt.ChargeOrEstimate(null, outputTokens: 0);
                if (winner is null)
                {
                    attempt.End(RouteAttemptOutcome.Failed, nameof(TimeoutException));
                }
                else
                {
                    attempt.End(RouteAttemptOutcome.Superseded);
                }
            }
        }

        return won;
    }

    /// <summary>Starts the call on one target; completes when it has produced its result (for a stream: its first update).</summary>
    protected abstract Task<T> StartAsync(RouteTarget target, CancellationToken cancellationToken);

    /// <summary>The usage a result reported, if any.</summary>
    protected abstract UsageDetails? UsageOf(T result);

    /// <summary>The text a result produced, for the estimate of a loser that reported no usage.</summary>
    protected abstract string OutputOf(T result);

    /// <summary>Charges the winner's attempt what its result reported so far.</summary>
    protected abstract void ChargeWinner(TargetAttempt attempt, T result);

    private sealed class Entry(TargetAttempt attempt)
    {
        public TargetAttempt Attempt { get; } = attempt;

        public T? Result { get; private set; }

        public Exception? Error { get; private set; }

        public void Complete(T? result, Exception? error)
        {
            Result = result;
            Error = error;
        }
    }
}
