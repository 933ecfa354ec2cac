using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Sends the request to the decision's primary target once; failures propagate to the caller.</summary>
internal sealed class DirectRouteExecutor : RouteExecutor
{
    public static DirectRouteExecutor Instance { get; } = new();

    public override Task<ChatResponse> GetResponseAsync(RouteInfo route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        RouteTarget target = route.Decision.Primary;
        route.ServedBy = target;
        long start = Stopwatch.GetTimestamp();
        Task<ChatResponse> pending;
        try
        {
            pending = target.Client.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            route.AddAttempt(AttemptFailure(target.Name, ex, start, cancellationToken));
            throw;
        }

        // A provider that answered synchronously (a local model, a cache) costs no async machinery here.
        if (pending.IsCompletedSuccessfully)
        {
            Succeeded(route, target, pending.Result, start);
            return pending;
        }

        return AwaitAsync(route, target, pending, start, cancellationToken);
    }

    private static async Task<ChatResponse> AwaitAsync(RouteInfo route, RouteTarget target, Task<ChatResponse> pending, long start, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            route.AddAttempt(AttemptFailure(target.Name, ex, start, cancellationToken));
            throw;
        }

        Succeeded(route, target, response, start);
        return response;
    }

    private static void Succeeded(RouteInfo route, RouteTarget target, ChatResponse response, long start)
    {
        decimal? cost = route.AddUsage(response.Usage, target);
        route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Succeeded, Stopwatch.GetElapsedTime(start), Cost: cost));
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
                    RouteAttempt failed = AttemptFailure(target.Name, ex, start, cancellationToken) with { TimeToFirstToken = usage.TimeToFirstToken };
                    outcome = failed.Outcome;
                    AttemptCharge.RecordStream(route, target, failed, usage);
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
                // The caller stopped reading: the provider still produced (and bills) what was streamed.
                AttemptCharge.RecordStream(route, target, new RouteAttempt(target.Name, outcome, Stopwatch.GetElapsedTime(start), usage.TimeToFirstToken), usage);
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
