using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Carries out a decision with failover: the decision's targets, then the last-resort chain, then other candidates.</summary>
/// <remarks>
/// Every target in the chain is a candidate for this request, so a fallback never breaks a capability,
/// context-window, policy or health filter. Streaming and non-streaming fall over identically before the first
/// update; after it, a failure surfaces to the caller (MEAI's <see cref="FailoverChatClient"/> rule).
/// </remarks>
internal sealed class FallbackRouteExecutor : RouteExecutor
{
    private readonly FallbackOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ResponseEscalator? _escalator;
    private readonly RequestHedger? _hedger;
    private readonly Func<RouteInfo, IReadOnlyList<RouteTarget>> _buildChain;

    public FallbackRouteExecutor(FallbackOptions options, TimeProvider timeProvider, ResponseEscalator? escalator = null)
    {
        _options = options;
        _timeProvider = timeProvider;
        _escalator = escalator is { IsEmpty: false } ? escalator : null;
        _hedger = options.Hedging.Enabled ? new RequestHedger(options.Hedging, options.ShouldFallOver, timeProvider) : null;
        _buildChain = BuildChain;
    }

    /// <summary>Gets the hedger, when hedging is on.</summary>
    internal RequestHedger? Hedger => _hedger;

    public override Task<ChatResponse> GetResponseAsync(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        LinkedTokenSource? budget = CreateBudget(cancellationToken);
        long start = Stopwatch.GetTimestamp();
        Task<ChatResponse>? primary = null;
        if (_hedger is null)
        {
            // The success path calls the primary directly; the failover client is created only if it fails.
            primary = CallPrimary(route, messages, options, budget?.Token ?? cancellationToken);
            if (_escalator is null && primary.IsCompletedSuccessfully)
            {
                // A primary that answered synchronously (a cache, a local model) costs no async machinery either.
                budget?.Dispose();
                ChatResponse response = primary.Result;
                RouteTarget served = route.Decision.Primary;
                route.AddAttempt(new RouteAttempt(served.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), Cost: route.AddUsage(response.Usage, served)));
                return primary;
            }
        }

        return GetResponseAsync(route, primary, budget, start, messages, options, cancellationToken);
    }

    private async Task<ChatResponse> GetResponseAsync(
        RouteInfo route, Task<ChatResponse>? primary, LinkedTokenSource? budget, long start, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using LinkedTokenSource? _ = budget;
        CancellationToken token = budget?.Token ?? cancellationToken;
        try
        {
            ChatResponse response;
            RouteTarget served;
            decimal? cost;
            if (primary is not null)
            {
                (response, served, cost) = await AwaitPrimaryAsync(route, primary, start, messages, options, token, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                (response, served, cost) = await HedgeAsync(route, start, messages, options, token, cancellationToken).ConfigureAwait(false);
            }

            if (_escalator is { } escalator &&
                await escalator.EvaluateAsync(response, route, options, token).ConfigureAwait(false) is { } reason &&
                ResponseEscalator.NextTier(route, served) is { } stronger)
            {
                route.AddAttempt(new RouteAttempt(served.Name, RouteAttemptOutcome.Rejected, Stopwatch.GetElapsedTime(start), Error: reason, Cost: cost));
                return await EscalateAsync(route, stronger, served, response, messages, options, token, cancellationToken).ConfigureAwait(false);
            }

            route.AddAttempt(new RouteAttempt(served.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), Cost: cost));
            return response;
        }
        catch (OperationCanceledException ex) when (budget is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw BudgetSpent(route, ex);
        }
    }

    /// <summary>Hedges over the chain's first targets, then falls over to the rest of it.</summary>
    private async Task<(ChatResponse Response, RouteTarget Served, decimal? Cost)> HedgeAsync(
        RouteInfo route, long start, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        IReadOnlyList<RouteTarget> chain = BuildChain(route);
        if (chain.Count <= 1)
        {
            (ChatResponse Response, RouteTarget Served, decimal? Cost) single = await FailOverAsync(route, chain, messages, options, token, cancellationToken).ConfigureAwait(false);
            if (route.AttemptCount == 0)
            {
                _hedger!.Latencies.Record(single.Served.Name, Stopwatch.GetElapsedTime(start));
            }

            return single;
        }

        (Polly.Outcome<ChatResponse> outcome, HedgedRequest hedged) = await _hedger!.ExecuteAsync(route, chain, messages, options, token).ConfigureAwait(false);
        decimal? cost = hedged.Record(outcome.Result, cancellationToken);
        if (outcome.Exception is not { } failure)
        {
            return (outcome.Result!, route.ServedBy, cost);
        }

        IReadOnlyList<RouteTarget> rest = [.. chain.Skip(hedged.Started)];
        if (failure is OperationCanceledException || !_options.ShouldFallOver(failure) || rest.Count == 0)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return await FailOverAsync(route, rest, messages, options, token, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls the decision's primary as <see cref="FailoverChatClient"/>'s first attempt would; a synchronous throw becomes a faulted task, as the base would observe it.</summary>
    private static Task<ChatResponse> CallPrimary(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        RouteTarget primary = route.Decision.Primary;
        route.ServedBy = primary;
        try
        {
            return primary.Client.GetResponseAsync(messages, options, token);
        }
#pragma warning disable CA1031 // Not swallowed: AwaitPrimaryAsync observes it and rethrows or falls over.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<ChatResponse>(ex);
        }
    }

    /// <summary>Awaits the primary's answer; if it failed, hands the request to the failover client from the second target on.</summary>
    private async Task<(ChatResponse Response, RouteTarget Served, decimal? Cost)> AwaitPrimaryAsync(
        RouteInfo route, Task<ChatResponse> primary, long start, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        Exception failure;
        try
        {
            ChatResponse response = await primary.ConfigureAwait(false);
            RouteTarget served = route.Decision.Primary;
            return (response, served, route.AddUsage(response.Usage, served));
        }
#pragma warning disable CA1031 // Not swallowed: ContinueAfterPrimary rethrows it unless the request falls over.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        using var failover = new DecisionFailoverChatClient(route, _buildChain, MaximumTargets(route), _options.ShouldFallOver, cancellationToken);
        failover.ContinueAfterPrimary(failure, Stopwatch.GetElapsedTime(start), token);
        return await CompleteAsync(failover, route, messages, options, token).ConfigureAwait(false);
    }

    private async Task<(ChatResponse Response, RouteTarget Served, decimal? Cost)> FailOverAsync(
        RouteInfo route, IReadOnlyList<RouteTarget> chain, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        using var failover = new DecisionFailoverChatClient(route, chain, _options.ShouldFallOver, cancellationToken);
        return await CompleteAsync(failover, route, messages, options, token).ConfigureAwait(false);
    }

    private static async Task<(ChatResponse Response, RouteTarget Served, decimal? Cost)> CompleteAsync(
        DecisionFailoverChatClient failover, RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        ChatResponse response = await failover.GetResponseAsync(messages, options, token).ConfigureAwait(false);
        RouteTarget served = failover.Current;
        return (response, served, route.AddUsage(response.Usage, served));
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        _escalator is { HoldsStreams: true } escalator
            ? HoldBackAsync(escalator, route, messages, options, cancellationToken)
            : StreamAsync(route, messages, options, null, cancellationToken);

    /// <summary>Streams the answer: failover before the first update, then optional mid-stream continuation; every segment's attempt is charged.</summary>
    /// <remarks>
    /// Unless another source is given or the stream is hedged, the primary is streamed directly, as MEAI's failover loop would
    /// start its first attempt; only if it fails before its first update does a <see cref="DecisionFailoverChatClient"/> take
    /// over, which reports that attempt through the same classifier and carries on from the second target.
    /// </remarks>
    /// <param name="route">The route.</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    /// <param name="held">When the hold-back runs the stream: its first source, its budget, and whether it takes the final attempt; otherwise <see langword="null"/> (the decision's chain, a budget of its own).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, HeldStream? held, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using LinkedTokenSource? ownBudget = held is null ? CreateBudget(cancellationToken) : null; // else the hold-back's: ownBudget ?? held?.Budget
        CancellationToken token = (ownBudget ?? held?.Budget)?.Token ?? cancellationToken;
        IStreamSource? source = held?.First ?? OpenSource(route, cancellationToken); // null: the primary, streamed directly
        var usage = new StreamUsage(); // the current segment's
        var streamed = default(StreamedUpdates); // every segment's, for a break or a continuation
        StreamSplice? splice = null; // from the first continuation on
        long start = Stopwatch.GetTimestamp();
        Segment segment = OpenSegment(token);
        segment.Start(source is null ? StreamPrimary(route, messages, options, segment.Token(token)) : Stream(source, messages, options, segment.Token(token)));
        bool finished = false;
        bool completed = false;
        bool recorded = false; // the current segment's attempt
        try
        {
            while (true)
            {
                // The step is awaited here rather than in a helper, and both results are assigned only after it, so the iterator
                // keeps no more state than the direct executor's for it. Reading Current is part of the step, as in MEAI's loop.
                ChatResponseUpdate? update;
                Exception? failure;
                try
                {
                    update = await segment.Updates.MoveNextAsync().ConfigureAwait(false)
                        ? segment.Updates.Current ?? throw new InvalidOperationException("The stream produced a null update.")
                        : null;
                    failure = null;
                }
#pragma warning disable CA1031 // Not swallowed: classified below, then rethrown, wrapped or failed over.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    update = null;
                    failure = ex;
                }

                if (update is not null)
                {
                    if (!usage.HasOutput && source is null && route.AttemptCount == 0)
                    {
                        _hedger?.FirstTokens.Record(route.Decision.Primary.Name, Stopwatch.GetElapsedTime(start));
                    }

                    usage.Observe(update, start);
                    splice?.Rewrite(update);
                    streamed.Add(update);
                    finished |= update.FinishReason is not null;
                    segment.ArmIdleTimer(IdleTimeout);
                    yield return update;
                    continue;
                }

                if (failure is not null && source is null && !usage.HasOutput)
                {
                    // The primary failed before its first update: the failover client reports the attempt and, unless the
                    // request ends there, carries on from the second target within the remaining attempts.
                    var failover = new DecisionFailoverChatClient(route, _buildChain, MaximumTargets(route), _options.ShouldFallOver, cancellationToken);
                    source = failover;
                    try
                    {
                        await HandOverAsync(failover, segment.Release(), failure, start, segment.Token(token)).ConfigureAwait(false);
                        segment.Start(Stream(source, messages, options, segment.Token(token)));
                        continue;
                    }
#pragma warning disable CA1031 // Not swallowed: the request ends with it, handled below like any failure before output.
                    catch (Exception ended)
#pragma warning restore CA1031
                    {
                        failure = ended;
                    }
                }

                string error;
                if (failure is null)
                {
                    if (!_options.RequireFinishReason || finished || streamed.Count == 0)
                    {
                        completed = true;
                        break;
                    }

                    // The OpenAI SSE reader ends silently when a connection is cut mid-answer: no finish reason means broken.
                    error = nameof(StreamInterruptedException);
                }
                else if (failure is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // A cancellation the caller did not ask for is one of the router's timeouts (total budget, stream idle timeout).
                    error = nameof(TimeoutException);
                    if ((ownBudget ?? held?.Budget) is { IsCancellationRequested: true })
                    {
                        recorded = true;
                        ChargeSegment(route, Serving(source, route), usage, start, RouteAttemptOutcome.Failed, error);
                        throw BudgetSpent(route, failure);
                    }

                    if (segment.IdleExpired(token))
                    {
                        failure = new TimeoutException($"The stream from '{Serving(source, route).Name}' sent no update for {IdleTimeout}.", failure);
                    }
                }
                else
                {
                    error = failure.GetType().Name;
                }

                // A segment that broke after output is charged here (before any output, the failover recorded it).
                recorded = true;
                ChargeSegment(route, Serving(source, route), usage, start, failure is OperationCanceledException && cancellationToken.IsCancellationRequested ? RouteAttemptOutcome.Canceled : RouteAttemptOutcome.Failed, error);
                if (streamed.Count == 0 || cancellationToken.IsCancellationRequested || failure is OperationCanceledException)
                {
                    // Nothing reached the caller (the chain is exhausted) or the caller cancelled: the failure surfaces as it is.
                    ExceptionDispatchInfo.Throw(failure!);
                }

                StreamContinuationOptions continuation = _options.Continuation;
                if (!continuation.Enabled)
                {
                    throw new StreamInterruptedException(route, streamed.ToArray(), failure);
                }

                IReadOnlyList<RouteTarget> remaining = source is null ? DecisionFailoverChatClient.After(BuildChain(route), 1) : source.Remaining;
                IReadOnlyList<RouteTarget> permitted = ContinuationGuard.Permitted(route, streamed.AsSpan(), remaining);
                splice ??= new StreamSplice(streamed.AsSpan());
                string? refusal =
                    StreamSplice.NonTextContent(streamed.AsSpan()) is { } content ? $"a {content} had already been streamed" :
                    splice.Segments > continuation.MaxContinuations ? $"the limit of {continuation.MaxContinuations} continuation(s) was reached" :
                    remaining.Count == 0 ? "no target is left to continue on" :
                    permitted.Count == 0 ? ContinuationGuard.Refusal :
                    null;
                if (refusal is not null)
                {
                    throw new StreamInterruptedException(route, streamed.ToArray(), failure, refusal);
                }

                // Continue the answer on the next target: the partial text as an assistant prefix, then the instruction.
                source?.Dispose();
                source = new DecisionFailoverChatClient(route, permitted, _options.ShouldFallOver, cancellationToken);
                await segment.DisposeAsync().ConfigureAwait(false);
                route.IsSpliced = true;
                finished = false;
                recorded = false;
                usage = new StreamUsage();
                start = Stopwatch.GetTimestamp();
                segment = OpenSegment(token);
                segment.Start(Stream(source, splice.ContinuationMessages(messages, streamed.AsSpan(), _options.Continuation.Instruction), options, segment.Token(token)));
            }
        }
        finally
        {
            await segment.DisposeAsync().ConfigureAwait(false);
            source?.Dispose();
            streamed.Dispose();
            if (!recorded)
            {
                RouteTarget served = Serving(source, route);
                if (completed)
                {
                    var attempt = new RouteAttempt(served.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken, Cost: route.AddUsage(usage.Total, served));
                    if (held is { HoldsAttempt: true })
                    {
                        held.Attempt = attempt;
                    }
                    else
                    {
                        route.AddAttempt(attempt);
                    }
                }
                else
                {
                    // The caller stopped reading: the provider still produced (and bills) what was streamed.
                    ChargeSegment(route, served, usage, start, RouteAttemptOutcome.Abandoned, null);
                }
            }
        }
    }

    /// <summary>
    /// Holds a streamed answer back until it is complete and judges it like a non-streamed one: accepted, the held updates
    /// are released unchanged; rejected, they are discarded and the stronger target's answer streams live. An answer longer
    /// than <see cref="EscalationOptions.MaxHeldCharacters"/> is released as it grows and is no longer judged.
    /// </summary>
    private async IAsyncEnumerable<ChatResponseUpdate> HoldBackAsync(
        ResponseEscalator escalator, RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using LinkedTokenSource? budget = CreateBudget(cancellationToken);
        var answer = new HeldStream(budget, holdsAttempt: true);
        var held = new List<ChatResponseUpdate>();
        long heldCharacters = 0;
        bool released = false;
        while (true)
        {
            Exception? failure;
            await using (IAsyncEnumerator<ChatResponseUpdate> updates = StreamAsync(route, messages, options, answer, cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    (ChatResponseUpdate? update, failure) = await MoveNextAsync(updates).ConfigureAwait(false);
                    if (update is null)
                    {
                        break;
                    }

                    if (released)
                    {
                        yield return update;
                        continue;
                    }

                    held.Add(update);
                    heldCharacters += TextLength(update);
                    if (heldCharacters > escalator.MaxHeldCharacters)
                    {
                        // Too long to hold: release what was held; the rest streams live and the answer can no longer be escalated.
                        released = true;
                        foreach (ChatResponseUpdate earlier in held)
                        {
                            yield return earlier;
                        }

                        held.Clear();
                    }
                }
            }

            if (failure is null)
            {
                break;
            }

            // A held stream that broke has reached no caller: like a failure before the first update, it falls over to the
            // next untried target of the chain, from the start (the broken segment is already charged and recorded).
            if (released || failure is not StreamInterruptedException || cancellationToken.IsCancellationRequested ||
                UntriedTargets(route) is not { Count: > 0 } rest)
            {
                ExceptionDispatchInfo.Throw(failure);
                yield break;
            }

            held.Clear();
            heldCharacters = 0;
            route.IsSpliced = false;
            answer.First = new DecisionFailoverChatClient(route, rest, _options.ShouldFallOver, cancellationToken); // the decision's chain first, after a held break the untried rest
        }

        RouteAttempt original = answer.Attempt!;
        RouteTarget served = route.ServedBy;
        string? reason = null;
        if (!released)
        {
            try
            {
                reason = await escalator.EvaluateAsync(held.ToChatResponse(), route, options, budget?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (budget is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
            {
                throw BudgetSpent(route, ex);
            }
        }

        RouteTarget? stronger = reason is null ? null : ResponseEscalator.NextTier(route, served);
        if (stronger is null)
        {
            route.AddAttempt(original);
            foreach (ChatResponseUpdate update in held)
            {
                yield return update;
            }

            yield break;
        }

        route.AddAttempt(original with { Outcome = RouteAttemptOutcome.Rejected, Error = reason });
        var escalation = new HeldStream(budget, holdsAttempt: false) { First = new DecisionFailoverChatClient(route, [stronger], _options.ShouldFallOver, cancellationToken) };
        await using IAsyncEnumerator<ChatResponseUpdate> live = StreamAsync(route, messages, options, escalation, cancellationToken).GetAsyncEnumerator(cancellationToken);
        (ChatResponseUpdate? firstUpdate, Exception? escalationFailure) = await MoveNextAsync(live).ConfigureAwait(false);
        if (escalationFailure is { } failed)
        {
            if (cancellationToken.IsCancellationRequested || failed is FallbackTimeoutException)
            {
                ExceptionDispatchInfo.Throw(failed);
            }

            // The escalation failed before any output (recorded as a failed attempt): the caller gets the held original.
            route.ServedBy = served;
            foreach (ChatResponseUpdate update in held)
            {
                yield return update;
            }

            yield break;
        }

        route.IsEscalated = true;
        if (firstUpdate is null)
        {
            yield break;
        }

        yield return firstUpdate;
        while (await live.MoveNextAsync().ConfigureAwait(false))
        {
            yield return live.Current;
        }
    }

    /// <summary>The chain's targets no attempt of this request has used yet, in chain order.</summary>
    private List<RouteTarget> UntriedTargets(RouteInfo route)
    {
        IReadOnlyList<RouteAttempt> attempts = route.Attempts;
        return [.. BuildChain(route).Where(t => !attempts.Any(a => a.Target == t.Name))];
    }

    private static long TextLength(ChatResponseUpdate update)
    {
        long length = 0;
        foreach (AIContent content in update.Contents)
        {
            if (content is TextContent text)
            {
                length += text.Text.Length;
            }
        }

        return length;
    }

    /// <summary>Records a segment that ended after output without completing: its reported usage, else an estimate from the text it streamed.</summary>
    private static void ChargeSegment(RouteInfo route, RouteTarget target, StreamUsage usage, long start, RouteAttemptOutcome outcome, string? error)
    {
        if (usage.HasOutput)
        {
            AttemptCharge.RecordStream(route, target, new RouteAttempt(target.Name, outcome, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken, error), usage);
        }
    }

    /// <summary>The first segment's source when it needs one: a hedged stream when hedging is on and the chain has a second target; otherwise <see langword="null"/> (the primary is streamed directly).</summary>
    private HedgedStream? OpenSource(RouteInfo route, CancellationToken cancellationToken) =>
        _hedger is { HedgesStreams: true } hedger && BuildChain(route) is { Count: > 1 } chain
            ? hedger.Stream(route, chain, _options.ShouldFallOver, cancellationToken)
            : null;

    /// <summary>The target serving (or last trying to serve) the current segment.</summary>
    private static RouteTarget Serving(IStreamSource? source, RouteInfo route) => source?.Current ?? route.Decision.Primary;

    /// <summary>An upper bound of <see cref="BuildChain"/>'s length, without building it.</summary>
    internal int MaximumTargets(RouteInfo route) =>
        Math.Min(_options.MaxTargets, _options.TryRemainingCandidates ? route.CandidateSet.Count : route.Decision.Targets.Count + _options.LastResort.Count);

    /// <summary>The targets to try, in order: the decision's, the last-resort chain, then (optionally) the remaining candidates.</summary>
    internal IReadOnlyList<RouteTarget> BuildChain(RouteInfo route)
    {
        RouteCandidates candidates = route.CandidateSet;
        var chain = new List<RouteTarget>(Math.Min(_options.MaxTargets, candidates.Count));
        foreach (RouteTarget target in route.Decision.Targets)
        {
            Add(chain, target);
        }

        foreach (string name in _options.LastResort)
        {
            if (candidates.Find(name) is { } target)
            {
                Add(chain, target);
            }
        }

        if (_options.TryRemainingCandidates)
        {
            QualityTier tier = route.Decision.Primary.Profile.Tier;
            IEnumerable<RouteTarget> rest = candidates.Targets
                .Where(t => !chain.Contains(t))
                .OrderBy(t => Math.Abs((int)t.Profile.Tier - (int)tier))
                .ThenByDescending(t => t.Profile.Tier)
                .ThenBy(t => t.Profile.InputPricePerMillion + t.Profile.OutputPricePerMillion);
            foreach (RouteTarget target in rest)
            {
                Add(chain, target);
            }
        }

        return chain.Count > _options.MaxTargets ? chain.GetRange(0, _options.MaxTargets) : chain;

        static void Add(List<RouteTarget> list, RouteTarget target)
        {
            if (!list.Contains(target))
            {
                list.Add(target);
            }
        }
    }

    /// <summary>Re-routes a rejected answer once to a stronger target; if that fails, the original answer stands.</summary>
    private async Task<ChatResponse> EscalateAsync(
        RouteInfo route, RouteTarget stronger, RouteTarget served, ChatResponse original, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        using var escalation = new DecisionFailoverChatClient(route, [stronger], _options.ShouldFallOver, cancellationToken);
        long start = Stopwatch.GetTimestamp();
        try
        {
            ChatResponse response = await escalation.GetResponseAsync(messages, options, token).ConfigureAwait(false);
            route.IsEscalated = true;
            route.AddAttempt(new RouteAttempt(stronger.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), Cost: route.AddUsage(response.Usage, stronger)));
            return response;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not FallbackTimeoutException)
        {
            // The failed escalation is recorded as an attempt; the caller still gets the (rejected) original answer.
            route.ServedBy = served;
            return original;
        }
    }

    /// <summary>Gets how long a started stream may go without an update (when continuation is on).</summary>
    private TimeSpan? IdleTimeout => _options.Continuation.Enabled ? _options.Continuation.IdleTimeout : null;

    /// <summary>A segment, with a (pooled) idle timer on the <see cref="TimeProvider"/> when an idle timeout is set: re-armed after every update, it cancels a stream that stalls.</summary>
    private Segment OpenSegment(CancellationToken token) =>
        new(IdleTimeout is null ? null : LinkedTokenSource.Start(Timeout.InfiniteTimeSpan, _timeProvider, token));

    /// <summary>
    /// Hands a stream whose primary failed before its first update to the failover client, as MEAI's loop goes on after its
    /// first attempt: the primary's stream is disposed (a failure to dispose replaces the failure), then the attempt is reported.
    /// </summary>
    /// <exception cref="Exception">The exception the request ends with, when it ends here (see <see cref="DecisionFailoverChatClient.ContinueAfterPrimary"/>).</exception>
    private static async ValueTask HandOverAsync(DecisionFailoverChatClient failover, IAsyncEnumerator<ChatResponseUpdate> primary, Exception failure, long start, CancellationToken token)
    {
        TimeSpan duration = Stopwatch.GetElapsedTime(start);
        try
        {
            await primary.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Not swallowed: it replaces the primary's failure, as in MEAI's loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        failover.ContinueAfterPrimary(failure, duration, token);
    }

    private static IAsyncEnumerator<ChatResponseUpdate> Stream(IStreamSource source, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token) =>
        source.GetStreamingResponseAsync(messages, options, token).GetAsyncEnumerator(token);

    /// <summary>Starts the decision's primary as <see cref="FailoverChatClient"/>'s first attempt would; a synchronous throw becomes the stream's first failure, as the base would observe it.</summary>
    private static IAsyncEnumerator<ChatResponseUpdate> StreamPrimary(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        RouteTarget primary = route.Decision.Primary;
        route.ServedBy = primary;
        try
        {
            return primary.Client.GetStreamingResponseAsync(messages, options, token).GetAsyncEnumerator(token);
        }
#pragma warning disable CA1031 // Not swallowed: the executor observes it as the primary's failure before its first update.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Failed(ex).GetAsyncEnumerator(token);
        }

        static async IAsyncEnumerable<ChatResponseUpdate> Failed(Exception failure)
        {
            await Task.FromException(failure).ConfigureAwait(false);
            yield break;
        }
    }

#pragma warning disable CA1031 // The failure is captured here and rethrown (or wrapped) by the caller, outside the iterator's try.
    /// <summary>The next update (<see langword="null"/> at the end), or the failure; reading <see cref="IAsyncEnumerator{T}.Current"/> is part of the step, as in MEAI's failover loop.</summary>
    private static async ValueTask<(ChatResponseUpdate? Update, Exception? Failure)> MoveNextAsync(IAsyncEnumerator<ChatResponseUpdate> updates)
    {
        try
        {
            return !await updates.MoveNextAsync().ConfigureAwait(false) ? (null, null) :
                updates.Current is { } update ? (update, null) :
                (null, new InvalidOperationException("The stream produced a null update."));
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }
#pragma warning restore CA1031

    private FallbackTimeoutException BudgetSpent(RouteInfo route, Exception cause) =>
        new($"The request's total time budget of {_options.TotalTimeout} ran out after {route.AttemptCount} attempt(s).", cause);

    /// <summary>Starts the request's total time budget, on the <see cref="TimeProvider"/> and ended by the caller's token too; <see langword="null"/> without one.</summary>
    private LinkedTokenSource? CreateBudget(CancellationToken cancellationToken) =>
        _options.TotalTimeout is { } timeout ? LinkedTokenSource.Start(timeout, _timeProvider, cancellationToken) : null;
}
