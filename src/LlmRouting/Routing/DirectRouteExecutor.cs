using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting;

/// <summary>Sends the request to the decision's primary target once; failures propagate to the caller, and the caller's cancellation ends the wait even if the target ignores it.</summary>
internal sealed class DirectRouteExecutor : RouteExecutor
{
    public static DirectRouteExecutor Instance { get; } = new();

    public override async Task<ChatResponse> GetResponseAsync(RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        TargetAttempt attempt = route.Begin(route.Decision.Primary);
        ChatResponse response;
        try
        {
            response = await CancellationRace.GetResponseAsync(attempt.Target.Client, messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            attempt.Fail(ex, routerTimeouts: false, cancellationToken);
            throw;
        }

        attempt.Succeed(response);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TargetAttempt attempt = route.Begin(route.Decision.Primary);
        var updates = new RacedEnumerator<ChatResponseUpdate>(attempt.Target.Client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken), cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex)
                {
                    attempt.Fail(ex, routerTimeouts: false, cancellationToken);
                    throw;
                }

                attempt.Observe(update);
                yield return update;
            }

            attempt.SucceedStream();
        }
        finally
        {
            if (!attempt.IsEnded)
            {
                // The caller stopped reading: the provider still produced (and bills) what was streamed.
                attempt.ChargeStream();
                attempt.End(RouteAttemptOutcome.Abandoned);
            }

            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }
}
