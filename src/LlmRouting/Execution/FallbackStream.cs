using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using LlmRouting.Filtering;
using LlmRouting.Resilience;

namespace LlmRouting.Execution;

/// <summary>
/// One stream through the fallback executor: failover before the first update, then optional mid-stream continuation;
/// every segment's attempt is ended and charged through the <see cref="RouteExecution"/>.
/// </summary>
/// <remarks>
/// Unless another source is given or the stream is hedged, the primary is streamed directly, as MEAI's failover loop would
/// start its first attempt; only if it fails before its first update does a <see cref="DecisionFailoverChatClient"/> take
/// over, which ends that attempt through the same classifier and carries on from the second target. Single use.
/// </remarks>
#pragma warning disable CA1001 // The segment and the source are disposed when the single run ends (CloseAsync, in the iterator's finally).
internal sealed class FallbackStream
#pragma warning restore CA1001
{
    private readonly FallbackRouteExecutor _executor;
    private readonly RouteExecution _route;
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly HeldStream? _held;
    private readonly StreamedUpdates _streamed = new(); // every segment's, for a break or a continuation
    private readonly CancellationToken _caller;
    private TimeLimit? _budget;
    private IStreamSource? _source; // null: the primary, streamed directly
    private TargetAttempt? _primary;
    private StreamSplice? _splice; // from the first continuation on
    private Segment? _segment;
    private bool _finished;
    private bool _ended; // the current segment's attempt was ended here (or handed to the hold-back)
    private int _started;

    /// <param name="executor">The executor's settings.</param>
    /// <param name="route">The execution.</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    /// <param name="held">When a hold-back runs the stream: its first source, its budget, and whether it takes the final attempt.</param>
    /// <param name="cancellationToken">The caller's token: the stream runs on it (the executor's callers enumerate with the same token).</param>
    public FallbackStream(FallbackRouteExecutor executor, RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, HeldStream? held, CancellationToken cancellationToken)
    {
        _executor = executor;
        _route = route;
        _messages = messages;
        _options = options;
        _held = held;
        _caller = cancellationToken;
    }

    /// <summary>Gets the current segment's attempt.</summary>
    private TargetAttempt? Attempt => _source?.Attempt ?? _primary;

    private Segment Current => _segment!;

    public async IAsyncEnumerable<ChatResponseUpdate> RunAsync()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A fallback stream is enumerated once.");
        }

        using TimeLimit? ownBudget = _held is null ? _executor.StartBudget(_route, _caller) : null;
        _budget = ownBudget ?? _held!.Budget;
        _source = _held?.First ?? _executor.OpenHedgedStream(_route, _caller);
        OpenSegment(_source is null ? null : _messages);
        bool completed = false;
        try
        {
            while (true)
            {
                Current.ArmIdleTimer(); // from the ask, not from the last update: the caller's time with it is not the target's silence
                ChatResponseUpdate? update; // the next update, null at the end or on a failure
                Exception? failure;
                try
                {
                    // Reading Current is part of the step, as in MEAI's failover loop.
                    update = await Current.Updates.MoveNextAsync().ConfigureAwait(false)
                        ? Current.Updates.Current ?? throw new InvalidOperationException("The stream produced a null update.")
                        : null;
                    failure = null;
                }
#pragma warning disable CA1031 // Not swallowed: NextSegmentAsync fails over, continues or rethrows it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    update = null;
                    failure = ex;
                }

                if (update is not null)
                {
                    Observe(update);
                    yield return update;
                }
                else if (!await NextSegmentAsync(failure).ConfigureAwait(false))
                {
                    completed = true;
                    break;
                }
            }
        }
        finally
        {
            await CloseAsync(completed).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The current segment stopped, at its end or with <paramref name="failure"/>: <see langword="false"/> when the stream is
    /// complete; <see langword="true"/> when another stream takes over (the failover client after a primary that failed before
    /// its first update, or a continuation); otherwise throws what the stream ends with.
    /// </summary>
    private async ValueTask<bool> NextSegmentAsync(Exception? failure)
    {
        if (failure is not null && _source is null && !_primary!.HasOutput)
        {
            // The primary failed before its first update: the failover client ends its attempt and, unless the
            // request ends there, carries on from the second target within the remaining attempts.
            failure = await HandOverAsync(failure).ConfigureAwait(false);
            if (failure is null)
            {
                return true;
            }
        }

        if (failure is null && (!_executor.Options.RequireFinishReason || _finished || _streamed.Count == 0))
        {
            return false;
        }

        await ContinueAsync(failure).ConfigureAwait(false); // throws when the stream ends with the failure
        return true;
    }

    private void Observe(ChatResponseUpdate update)
    {
        TargetAttempt attempt = Attempt!;
        if (!attempt.HasOutput && _source is null && _route.AttemptCount == 0)
        {
            _executor.Hedger?.FirstTokens.Record(_route.Decision.Primary.Name, attempt.Elapsed); // the primary's time to first token
        }

        attempt.Observe(update);
        _splice?.Rewrite(update);
        _streamed.Add(update);
        _finished |= update.FinishReason is not null;
        Current.PauseIdleTimer();
    }

    /// <summary>Opens a segment: the primary streamed directly (<paramref name="messages"/> <see langword="null"/>), else the source with these messages.</summary>
    private void OpenSegment(IEnumerable<ChatMessage>? messages)
    {
        _ended = false;
        _segment = new Segment(_executor.IdleTimeout, _executor.TimeProvider, _budget?.Token ?? _caller);
        if (messages is null)
        {
            _primary = _route.Begin(_route.Decision.Primary);
            _segment.Start(StreamSteps.Start(_primary.Target.Client, _messages, _options, _segment.Token));
        }
        else
        {
            _segment.Start(_source!.GetStreamingResponseAsync(messages, _options, _segment.Token).GetAsyncEnumerator(_segment.Token));
        }
    }

    /// <summary>
    /// Hands a stream whose primary failed before its first update to the failover client, as MEAI's loop goes on after its
    /// first attempt: the primary's stream is disposed (a failure to dispose replaces the failure), then the attempt is ended.
    /// </summary>
    /// <returns><see langword="null"/> when the failover client carries on; else the exception the request ends with.</returns>
    private async ValueTask<Exception?> HandOverAsync(Exception failure)
    {
        var failover = new DecisionFailoverChatClient(_route, null, _executor.Options.ShouldFallOver, _caller);
        _source = failover;
        try
        {
            try
            {
                await Current.Release().DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Not swallowed: it replaces the primary's failure, as in MEAI's loop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }

            failover.ContinueAfterPrimary(_primary!, failure, Current.Token);
            Current.Start(failover.GetStreamingResponseAsync(_messages, _options, Current.Token).GetAsyncEnumerator(Current.Token));
            return null;
        }
#pragma warning disable CA1031 // Not swallowed: the request ends with it, handled like any failure before output.
        catch (Exception ended)
#pragma warning restore CA1031
        {
            return ended;
        }
    }

    /// <summary>
    /// A segment broke (or ended without a finish reason): ends its attempt, then either throws what the request ends with
    /// or opens the continuation segment on the next target.
    /// </summary>
    private async ValueTask ContinueAsync(Exception? failure)
    {
        string error;
        if (failure is null)
        {
            // The OpenAI SSE reader ends silently when a connection is cut mid-answer: no finish reason means broken.
            error = nameof(StreamInterruptedException);
        }
        else
        {
            // A cancellation the caller did not ask for is one of the router's timeouts (total budget, stream idle timeout).
            (_, error) = AttemptFailures.Classify(failure, routerTimeouts: true, _caller);
            if (failure is OperationCanceledException && !_caller.IsCancellationRequested)
            {
                if (_budget is { } budget && budget.ExpiredFor(_caller))
                {
                    EndSegment(RouteAttemptOutcome.Failed, error);
                    throw _executor.BudgetSpent(_route, failure);
                }

                if (Current.IdleExpired)
                {
                    failure = new TimeoutException($"The stream from '{(Attempt?.Target ?? _route.Decision.Primary).Name}' sent no update for {_executor.IdleTimeout}.", failure);
                }
            }
        }

        // A segment that broke after output is charged here (before any output, the failover ended it).
        EndSegment(failure is not null && AttemptFailures.IsCallerCancellation(failure, _caller) ? RouteAttemptOutcome.Canceled : RouteAttemptOutcome.Failed, error);
        if (_streamed.Count == 0 || _caller.IsCancellationRequested || failure is OperationCanceledException)
        {
            // Nothing reached the caller (the chain is exhausted) or the caller cancelled: the failure surfaces as it is.
            ExceptionDispatchInfo.Throw(failure!);
        }

        IReadOnlyList<RouteTarget> remaining = ContinuationTargets(failure);
        _source?.Dispose();
        _source = new DecisionFailoverChatClient(_route, remaining, _executor.Options.ShouldFallOver, _caller);
        await Current.DisposeAsync().ConfigureAwait(false);
        _route.SetSpliced(true);
        _finished = false;
        StreamContinuationOptions continuation = _executor.Options.Continuation;
        OpenSegment(_splice!.ContinuationMessages(_messages, _streamed.AsSpan(), continuation.Instruction));
    }

    /// <summary>The targets a broken stream may continue on; throws <see cref="StreamInterruptedException"/> when it may not be continued.</summary>
    private IReadOnlyList<RouteTarget> ContinuationTargets(Exception? failure)
    {
        StreamContinuationOptions continuation = _executor.Options.Continuation;
        if (!continuation.Enabled)
        {
            throw new StreamInterruptedException(_route.Info, _streamed.ToArray(), failure);
        }

        IReadOnlyList<RouteTarget> remaining = _source is null ? DecisionFailoverChatClient.After(_route.Chain, 1) : _source.Remaining;
        IReadOnlyList<RouteTarget> permitted = ContinuationGuard.Permitted(_route.Info, _streamed.AsSpan(), remaining);
        _splice ??= new StreamSplice(_streamed.AsSpan());
        string? refusal =
            StreamSplice.NonTextContent(_streamed.AsSpan()) is { } content ? $"a {content} had already been streamed" :
            _splice.Segments > continuation.MaxContinuations ? $"the limit of {continuation.MaxContinuations} continuation(s) was reached" :
            remaining.Count == 0 ? "no target is left to continue on" :
            permitted.Count == 0 ? ContinuationGuard.Refusal :
            null;
        return refusal is null ? permitted : throw new StreamInterruptedException(_route.Info, _streamed.ToArray(), failure, refusal);
    }

    /// <summary>Ends a segment that stopped after output without completing: its reported usage, else an estimate from the text it streamed.</summary>
    private void EndSegment(RouteAttemptOutcome outcome, string? error)
    {
        _ended = true;
        if (Attempt is { HasOutput: true } attempt)
        {
            attempt.ChargeStream();
            attempt.End(outcome, error);
        }
    }

    private async ValueTask CloseAsync(bool completed)
    {
        await Current.DisposeAsync().ConfigureAwait(false);
        _source?.Dispose();
        if (_ended || Attempt is not { } attempt)
        {
            return;
        }

        if (!completed)
        {
            // The caller stopped reading: the provider still produced (and bills) what was streamed.
            EndSegment(RouteAttemptOutcome.Abandoned, null);
        }
        else if (_held is { HoldsAttempt: true })
        {
            attempt.Charge(attempt.ReportedUsage);
            _held.Attempt = attempt; // ended by the hold-back once the answer is judged
        }
        else
        {
            attempt.SucceedStream();
        }
    }
}
