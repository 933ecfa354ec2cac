using System.Diagnostics;
using System.Runtime.CompilerServices;
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

    public FallbackRouteExecutor(FallbackOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
    }

    public override async Task<ChatResponse> GetResponseAsync(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using var failover = new DecisionFailoverChatClient(route, BuildChain(route), _options.ShouldFallOver);
        using CancellationTokenSource? budget = CreateBudget(cancellationToken);
        long start = Stopwatch.GetTimestamp();
        try
        {
            ChatResponse response = await failover.GetResponseAsync(messages, options, budget?.Token ?? cancellationToken).ConfigureAwait(false);
            RouteTarget served = failover.Current;
            decimal? cost = route.AddUsage(response.Usage, served);
            route.AddAttempt(new RouteAttempt(served.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), Cost: cost));
            return response;
        }
        catch (OperationCanceledException ex) when (budget is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new FallbackTimeoutException($"The request's total time budget of {_options.TotalTimeout} ran out after {route.Attempts.Count} attempt(s).", ex);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var failover = new DecisionFailoverChatClient(route, BuildChain(route), _options.ShouldFallOver);
        using CancellationTokenSource? budget = CreateBudget(cancellationToken);
        CancellationToken token = budget?.Token ?? cancellationToken;
        var usage = new StreamUsage();
        var sent = new List<ChatResponseUpdate>();
        bool finished = false;
        long start = Stopwatch.GetTimestamp();
        IAsyncEnumerator<ChatResponseUpdate> e = failover.GetStreamingResponseAsync(messages, options, token).GetAsyncEnumerator(token);
        bool completed = false;
        try
        {
            while (true)
            {
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException ex) when (budget is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
                {
                    throw new FallbackTimeoutException($"The request's total time budget of {_options.TotalTimeout} ran out after {route.Attempts.Count} attempt(s).", ex);
                }
                catch (Exception ex) when (sent.Count > 0 && ex is not OperationCanceledException)
                {
                    throw new StreamInterruptedException(route, sent, ex);
                }

                ChatResponseUpdate update = e.Current;
                usage.Observe(update, start);
                finished |= update.FinishReason is not null;
                sent.Add(update);
                yield return update;
            }

            if (_options.RequireFinishReason && sent.Count > 0 && !finished)
            {
                route.AddAttempt(new RouteAttempt(failover.Current.Name, RouteAttemptOutcome.Failed, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken, nameof(StreamInterruptedException)));
                throw new StreamInterruptedException(route, sent, innerException: null);
            }

            completed = true;
        }
        finally
        {
            await e.DisposeAsync().ConfigureAwait(false);
            RouteTarget served = failover.Current;
            decimal? cost = route.AddUsage(usage.Total, served);
            if (completed)
            {
                route.AddAttempt(new RouteAttempt(served.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken, Cost: cost));
            }
        }
    }

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

    private CancellationTokenSource? CreateBudget(CancellationToken cancellationToken)
    {
        if (_options.TotalTimeout is not { } timeout)
        {
            return null;
        }

        // The budget runs on the TimeProvider (testable with FakeTimeProvider) and also ends with the caller's token.
        var budget = new CancellationTokenSource(timeout, _timeProvider);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), budget);
        }

        return budget;
    }
}
