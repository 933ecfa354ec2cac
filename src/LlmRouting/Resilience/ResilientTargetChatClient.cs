using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;

namespace LlmRouting;

/// <summary>Runs a target's calls through its Polly pipeline (retry, circuit breaker, per-attempt timeout).</summary>
/// <remarks>
/// For streams the pipeline covers the start of the stream — up to the first update. Once an update has
/// been produced, nothing is retried here: a stream is never replayed from the start behind the caller's back.
/// </remarks>
internal sealed class ResilientTargetChatClient : DelegatingChatClient
{
    private readonly ResiliencePipeline _pipeline;

    public ResilientTargetChatClient(IChatClient innerClient, ResiliencePipeline pipeline)
        : base(innerClient)
    {
        _pipeline = pipeline;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _pipeline.ExecuteAsync(
            static async (state, ct) => await state.Inner.GetResponseAsync(state.Messages, state.Options, ct).ConfigureAwait(false),
            (Inner: InnerClient, Messages: messages, Options: options),
            cancellationToken).AsTask();

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StreamStart start = await _pipeline.ExecuteAsync(
            static async (state, pipelineToken) =>
            {
                // Each attempt gets its own token source linked to the caller's. Polly's token (which carries the
                // attempt timeout and is pooled) only guards the start; the stream itself lives on the caller's.
                var attempt = CancellationTokenSource.CreateLinkedTokenSource(state.CallerToken);
                IAsyncEnumerator<ChatResponseUpdate>? e = null;
                try
                {
                    using CancellationTokenRegistration guard = pipelineToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), attempt);
                    e = state.Inner.GetStreamingResponseAsync(state.Messages, state.Options, attempt.Token).GetAsyncEnumerator(attempt.Token);
                    bool hasFirst = await e.MoveNextAsync().ConfigureAwait(false);
                    return new StreamStart(e, hasFirst, attempt);
                }
                catch (OperationCanceledException) when (pipelineToken.IsCancellationRequested && !state.CallerToken.IsCancellationRequested)
                {
                    await DisposeAsync(e, attempt).ConfigureAwait(false);
                    pipelineToken.ThrowIfCancellationRequested(); // surfaces as Polly's TimeoutRejectedException
                    throw;
                }
                catch
                {
                    await DisposeAsync(e, attempt).ConfigureAwait(false);
                    throw;
                }
            },
            (Inner: InnerClient, Messages: messages, Options: options, CallerToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);

        try
        {
            if (!start.HasFirst)
            {
                yield break;
            }

            yield return start.Enumerator.Current;
            while (await start.Enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return start.Enumerator.Current;
            }
        }
        finally
        {
            await DisposeAsync(start.Enumerator, start.Attempt).ConfigureAwait(false);
        }
    }

    private static async ValueTask DisposeAsync(IAsyncEnumerator<ChatResponseUpdate>? enumerator, CancellationTokenSource attempt)
    {
        try
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            attempt.Dispose();
        }
    }

    private sealed record StreamStart(IAsyncEnumerator<ChatResponseUpdate> Enumerator, bool HasFirst, CancellationTokenSource Attempt);
}
