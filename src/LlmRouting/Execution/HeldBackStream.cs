using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using LlmRouting.Resilience;

namespace LlmRouting.Execution;

/// <summary>
/// Holds a streamed answer back until it is complete and judges it like a non-streamed one: accepted, the held updates
/// are released unchanged; rejected, they are discarded and the stronger target's answer streams live. An answer longer
/// than <see cref="EscalationOptions.MaxHeldCharacters"/> is released as it grows and is no longer judged.
/// </summary>
/// <remarks>Runs <see cref="FallbackStream"/> underneath; single use.</remarks>
internal sealed class HeldBackStream
{
    private readonly FallbackRouteExecutor _executor;
    private readonly ResponseEscalator _escalator;
    private readonly RouteExecution _route;
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly List<ChatResponseUpdate> _held = [];
    private long _heldCharacters;
    private bool _released;

    public HeldBackStream(FallbackRouteExecutor executor, ResponseEscalator escalator, RouteExecution route, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        _executor = executor;
        _escalator = escalator;
        _route = route;
        _messages = messages;
        _options = options;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using TimeLimit? budget = _executor.StartBudget(_route, cancellationToken);
        var answer = new HeldStream(budget, holdsAttempt: true);
        await foreach (ChatResponseUpdate released in HoldAsync(answer, cancellationToken).ConfigureAwait(false))
        {
            yield return released;
        }

        await foreach (ChatResponseUpdate update in DeliverAsync(answer, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>Streams the answer underneath and holds it (yielding only what is released as too long); a held stream that breaks falls over from the start.</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> HoldAsync(HeldStream answer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            Exception? failure;
            await using (IAsyncEnumerator<ChatResponseUpdate> updates = _executor.StreamAsync(_route, _messages, _options, answer, cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    (ChatResponseUpdate? update, failure) = await StreamSteps.MoveNextAsync(updates).ConfigureAwait(false);
                    if (update is null)
                    {
                        break;
                    }

                    foreach (ChatResponseUpdate released in Hold(update))
                    {
                        yield return released;
                    }
                }
            }

            if (failure is null)
            {
                yield break;
            }

            // A held stream that broke has reached no caller: like a failure before the first update, it falls over to the
            // next untried target of the chain, from the start (the broken segment is already charged and recorded).
            answer.First = FallOverAfterBreak(failure, cancellationToken);
        }
    }

    /// <summary>Judges the held answer: accepted, releases it; rejected, streams the stronger target's answer live (the held original if that fails before output).</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> DeliverAsync(HeldStream answer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? reason = _released ? null : await JudgeAsync(answer.Budget, cancellationToken).ConfigureAwait(false);
        TargetAttempt original = answer.Attempt!;
        RouteTarget? stronger = reason is null ? null : ResponseEscalator.NextTier(_route, original.Target);
        if (stronger is null)
        {
            original.End(RouteAttemptOutcome.Succeeded);
            foreach (ChatResponseUpdate update in _held)
            {
                yield return update;
            }

            yield break;
        }

        original.End(RouteAttemptOutcome.Rejected, reason);
        var escalation = new HeldStream(answer.Budget, holdsAttempt: false) { First = new DecisionFailoverChatClient(_route, [stronger], _executor.Options.ShouldFallOver, cancellationToken) };
        await using IAsyncEnumerator<ChatResponseUpdate> live = _executor.StreamAsync(_route, _messages, _options, escalation, cancellationToken).GetAsyncEnumerator(cancellationToken);
        (ChatResponseUpdate? first, Exception? escalationFailure) = await StreamSteps.MoveNextAsync(live).ConfigureAwait(false);
        if (escalationFailure is { } failed)
        {
            if (cancellationToken.IsCancellationRequested || failed is FallbackTimeoutException)
            {
                ExceptionDispatchInfo.Throw(failed);
            }

            // The escalation failed before any output (recorded as a failed attempt): the caller gets the held original.
            _route.Serve(original.Target);
            foreach (ChatResponseUpdate update in _held)
            {
                yield return update;
            }

            yield break;
        }

        _route.MarkEscalated();
        if (first is null)
        {
            yield break;
        }

        yield return first;
        while (await live.MoveNextAsync().ConfigureAwait(false))
        {
            yield return live.Current;
        }
    }

    /// <summary>Holds an update back, or releases it (and everything held) once the answer is too long to hold.</summary>
    private List<ChatResponseUpdate> Hold(ChatResponseUpdate update)
    {
        if (_released)
        {
            return [update];
        }

        _held.Add(update);
        _heldCharacters += StreamSteps.TextLength(update);
        if (_heldCharacters <= _escalator.MaxHeldCharacters)
        {
            return [];
        }

        // Too long to hold: release what was held; the rest streams live and the answer can no longer be escalated.
        _released = true;
        List<ChatResponseUpdate> released = [.. _held];
        _held.Clear();
        return released;
    }

    /// <summary>The source a held stream that broke continues from; throws the failure when it cannot.</summary>
    private DecisionFailoverChatClient FallOverAfterBreak(Exception failure, CancellationToken cancellationToken)
    {
        if (_released || failure is not StreamInterruptedException || cancellationToken.IsCancellationRequested ||
            _route.UntriedTargets() is not { Count: > 0 } rest)
        {
            ExceptionDispatchInfo.Throw(failure);
            throw failure; // unreachable
        }

        _held.Clear();
        _heldCharacters = 0;
        _route.SetSpliced(false);
        return new DecisionFailoverChatClient(_route, rest, _executor.Options.ShouldFallOver, cancellationToken);
    }

    private async ValueTask<string?> JudgeAsync(TimeLimit? budget, CancellationToken cancellationToken)
    {
        try
        {
            return await _escalator.EvaluateAsync(_held.ToChatResponse(), _route, _options, budget?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (budget is not null && budget.ExpiredFor(cancellationToken))
        {
            throw _executor.BudgetSpent(_route, ex);
        }
    }
}
