using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>Carries out a decision with failover: the decision's targets, then the last-resort chain, then other candidates.</summary>
/// <remarks>
/// Every target in the chain is a candidate for this request, so a fallback never breaks a capability,
/// context-window, policy or health filter. Streaming and non-streaming fall over identically before the first
/// update; after it, a failure surfaces to the caller (MEAI's <see cref="FailoverChatClient"/> rule). The primary is
/// called directly; MEAI's failover loop (<see cref="DecisionFailoverChatClient"/>) takes over only when it fails.
/// Streams run in <see cref="FallbackStream"/>, held-back escalation in <see cref="HeldBackStream"/>.
/// </remarks>
internal sealed class FallbackRouteExecutor : RouteExecutor
{
    private readonly TargetChain _chain;

    public FallbackRouteExecutor(FallbackOptions options, TimeProvider timeProvider, ResponseEscalator? escalator = null)
    {
        Options = options;
        TimeProvider = timeProvider;
        Escalator = escalator is { IsEmpty: false } ? escalator : null;
        Hedger = options.Hedging.Enabled ? new RequestHedger(options.Hedging, options.ShouldFallOver, timeProvider) : null;
        _chain = new TargetChain(options);
    }

    /// <summary>Gets the hedger, when hedging is on.</summary>
    internal RequestHedger? Hedger { get; }

    internal FallbackOptions Options { get; }

    internal TimeProvider TimeProvider { get; }

    internal ResponseEscalator? Escalator { get; }

    /// <summary>Gets how long a started stream may go without an update (when continuation is on).</summary>
    internal TimeSpan? IdleTimeout => Options.Continuation.Enabled ? Options.Continuation.IdleTimeout : null;

    public override Func<RouteExecution, IReadOnlyList<RouteTarget>> ChainBuilder => _chain.Build;

    public override async Task<ChatResponse> GetResponseAsync(RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using TimeLimit? budget = StartBudget(route, cancellationToken);
        CancellationToken token = budget?.Token ?? cancellationToken;
        try
        {
            (ChatResponse response, TargetAttempt served) = Hedger is null
                ? await CallAsync(route, messages, options, token, cancellationToken).ConfigureAwait(false)
                : await HedgeAsync(route, messages, options, token, cancellationToken).ConfigureAwait(false);

            if (Escalator is { } escalator &&
                await escalator.EvaluateAsync(response, route, options, token).ConfigureAwait(false) is { } reason &&
                ResponseEscalator.NextTier(route, served.Target) is { } stronger)
            {
                served.End(RouteAttemptOutcome.Rejected, reason);
                return await EscalateAsync(route, stronger, served.Target, response, messages, options, token, cancellationToken).ConfigureAwait(false);
            }

            served.End(RouteAttemptOutcome.Succeeded);
            return response;
        }
        catch (OperationCanceledException ex) when (budget is not null && budget.ExpiredFor(cancellationToken))
        {
            throw BudgetSpent(route, ex);
        }
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        Escalator is { HoldsStreams: true } escalator
            ? new HeldBackStream(this, escalator, route, messages, options).RunAsync(cancellationToken)
            : StreamAsync(route, messages, options, held: null, cancellationToken);

    /// <summary>Streams the answer with failover before the first update and optional continuation after it (<see cref="FallbackStream"/>).</summary>
    /// <param name="route">The execution.</param>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    /// <param name="held">When a hold-back runs the stream: its first source, its budget, and whether it takes the final attempt; otherwise <see langword="null"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    internal IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, HeldStream? held, CancellationToken cancellationToken) =>
        new FallbackStream(this, route, messages, options, held, cancellationToken).RunAsync();

    /// <summary>
    /// Starts the request's total time budget, on the <see cref="TimeProvider"/> and ended by the caller's token too, and
    /// makes it the execution's time limit (which also ends a stream the caller stopped reading); <see langword="null"/> without one.
    /// </summary>
    internal TimeLimit? StartBudget(RouteExecution route, CancellationToken cancellationToken)
    {
        if (Options.TotalTimeout is not { } timeout)
        {
            return null;
        }

        var budget = new TimeLimit(TimeProvider, timeout, cancellationToken);
        route.LimitTime(this, budget.Token);
        return budget;
    }

    internal FallbackTimeoutException BudgetSpent(RouteExecution route, Exception cause) =>
        new($"The request's total time budget of {Options.TotalTimeout} ran out after {route.AttemptCount} attempt(s).", cause);

    /// <summary>The first segment's source when it needs one: a hedged stream when hedging is on and the chain has a second target; otherwise <see langword="null"/> (the primary is streamed directly).</summary>
    internal HedgedStream? OpenHedgedStream(RouteExecution route, CancellationToken cancellationToken) =>
        Hedger is { HedgesStreams: true } hedger && route.Chain is { Count: > 1 } chain
            ? hedger.Stream(route, chain, Options.ShouldFallOver, cancellationToken)
            : null;

    /// <summary>Calls the primary as <see cref="FailoverChatClient"/>'s first attempt would; if it fails, hands the request to the failover client from the second target on.</summary>
    private async Task<(ChatResponse Response, TargetAttempt Served)> CallAsync(
        RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        TargetAttempt primary = route.Begin(route.Decision.Primary);
        Exception failure;
        try
        {
            ChatResponse response = await CancellationRace.GetResponseAsync(primary.Target.Client, messages, options, token).ConfigureAwait(false);
            primary.Answered(response);
            return (response, primary);
        }
#pragma warning disable CA1031 // Not swallowed: ContinueAfterPrimary rethrows it unless the request falls over.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        using var failover = new DecisionFailoverChatClient(route, null, Options.ShouldFallOver, cancellationToken);
        failover.ContinueAfterPrimary(primary, failure, token);
        return await CompleteAsync(failover, messages, options, token).ConfigureAwait(false);
    }

    /// <summary>Hedges over the chain's first targets, then falls over to the rest of it.</summary>
    private async Task<(ChatResponse Response, TargetAttempt Served)> HedgeAsync(
        RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        IReadOnlyList<RouteTarget> chain = route.Chain;
        if (chain.Count <= 1)
        {
            (ChatResponse Response, TargetAttempt Served) single = await FailOverAsync(route, chain, messages, options, token, cancellationToken).ConfigureAwait(false);
            if (route.AttemptCount == 0)
            {
                Hedger!.Latencies.Record(single.Served.Target.Name, single.Served.Elapsed);
            }

            return single;
        }

        (Polly.Outcome<ChatResponse> outcome, HedgedRequest hedged) = await Hedger!.ExecuteAsync(route, chain, messages, options, token).ConfigureAwait(false);
        TargetAttempt? winner = hedged.Record(outcome.Result, cancellationToken);
        if (outcome.Exception is not { } failure)
        {
            return (outcome.Result!, winner!);
        }

        IReadOnlyList<RouteTarget> rest = [.. chain.Skip(hedged.Started)];
        if (failure is OperationCanceledException || !Options.ShouldFallOver(failure) || rest.Count == 0)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return await FailOverAsync(route, rest, messages, options, token, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(ChatResponse Response, TargetAttempt Served)> FailOverAsync(
        RouteExecution route, IReadOnlyList<RouteTarget> chain, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        using var failover = new DecisionFailoverChatClient(route, chain, Options.ShouldFallOver, cancellationToken);
        return await CompleteAsync(failover, messages, options, token).ConfigureAwait(false);
    }

    private static async Task<(ChatResponse Response, TargetAttempt Served)> CompleteAsync(
        DecisionFailoverChatClient failover, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        ChatResponse response = await failover.GetResponseAsync(messages, options, token).ConfigureAwait(false);
        TargetAttempt served = failover.Attempt!;
        served.Answered(response);
        return (response, served);
    }

    /// <summary>Re-routes a rejected answer once to a stronger target; if that fails, the original answer stands.</summary>
    private async Task<ChatResponse> EscalateAsync(
        RouteExecution route, RouteTarget stronger, RouteTarget served, ChatResponse original, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token, CancellationToken cancellationToken)
    {
        using var escalation = new DecisionFailoverChatClient(route, [stronger], Options.ShouldFallOver, cancellationToken);
        try
        {
            ChatResponse response = await escalation.GetResponseAsync(messages, options, token).ConfigureAwait(false);
            route.MarkEscalated();
            escalation.Attempt!.Succeed(response);
            return response;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not FallbackTimeoutException)
        {
            // The failed escalation is recorded as an attempt; the caller still gets the (rejected) original answer.
            route.Serve(served);
            return original;
        }
    }
}
