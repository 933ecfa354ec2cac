using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Sends the request to the decision's primary target once; failures propagate to the caller.</summary>
internal sealed class DirectRouteExecutor : RouteExecutor
{
    public static DirectRouteExecutor Instance { get; } = new();

    public override async Task<ChatResponse> GetResponseAsync(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        RouteTarget target = route.Decision.Primary;
        route.ServedBy = target;
        long start = Stopwatch.GetTimestamp();
        try
        {
            ChatResponse response = await target.Client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            decimal? cost = route.AddUsage(response.Usage, target);
            route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), Cost: cost));
            return response;
        }
        catch (Exception ex)
        {
            route.AddAttempt(AttemptFailure(target.Name, ex, start, cancellationToken));
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RouteTarget target = route.Decision.Primary;
        route.ServedBy = target;
        var usage = new StreamUsage();
        long start = Stopwatch.GetTimestamp();
        IAsyncEnumerator<ChatResponseUpdate> e = target.Client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        RouteAttemptOutcome outcome = RouteAttemptOutcome.Abandoned;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = e.Current;
                }
                catch (Exception ex)
                {
                    RouteAttempt failed = AttemptFailure(target.Name, ex, start, cancellationToken) with { TimeToFirstToken = usage.TimeToFirstToken, Cost = route.AddUsage(usage.Total, target) };
                    route.AddAttempt(failed);
                    outcome = failed.Outcome;
                    throw;
                }

                usage.Observe(update, start);
                yield return update;
            }

            outcome = RouteAttemptOutcome.Succeeded;
            route.AddAttempt(new RouteAttempt(target.Name, outcome, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken, Cost: route.AddUsage(usage.Total, target)));
        }
        finally
        {
            if (outcome == RouteAttemptOutcome.Abandoned)
            {
                route.AddAttempt(new RouteAttempt(target.Name, outcome, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken, Cost: route.AddUsage(usage.Total, target)));
            }

            await e.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static RouteAttempt AttemptFailure(string target, Exception exception, long start, CancellationToken cancellationToken) =>
        new(target,
            exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? RouteAttemptOutcome.Canceled : RouteAttemptOutcome.Failed,
            Stopwatch.GetElapsedTime(start),
            Error: exception.GetType().Name);
}
