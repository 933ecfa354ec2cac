using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Strategies;

/// <summary>Counts a target's calls in flight and measures their latency (time to first update for streams).</summary>
internal sealed class LoadTrackingChatClient : DelegatingChatClient
{
    private readonly TargetLoadTracker _tracker;
    private readonly string _target;

    public LoadTrackingChatClient(IChatClient innerClient, TargetLoadTracker tracker, string target)
        : base(innerClient)
    {
        _tracker = tracker;
        _target = target;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long start = _tracker.Start(_target);
        LoadOutcome outcome = LoadOutcome.Failed;
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            outcome = LoadOutcome.Succeeded;
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = LoadOutcome.Canceled;
            throw;
        }
        finally
        {
            _tracker.End(_target, start, outcome);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long start = _tracker.Start(_target);
        long? firstUpdate = null;

        // Abandoned (the caller stopped reading) unless the stream ends or fails.
        LoadOutcome outcome = LoadOutcome.Canceled;
        IAsyncEnumerator<ChatResponseUpdate>? e = null;
        try
        {
            try
            {
                e = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            catch
            {
                outcome = LoadOutcome.Failed;
                throw;
            }

            while (true)
            {
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch
                {
                    outcome = LoadOutcome.Failed;
                    throw;
                }

                firstUpdate ??= _tracker.Timestamp();
                yield return e.Current;
            }

            outcome = LoadOutcome.Succeeded;
        }
        finally
        {
            _tracker.End(_target, start, outcome, firstUpdate);
            if (e is not null)
            {
                await e.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
