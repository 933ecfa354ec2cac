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
    /// <summary>The target's task of the attempt that produced the result, so a synchronous success returns it as is.</summary>
    private static readonly ResiliencePropertyKey<Task<ChatResponse>> CallKey = new("llmrouting.target-call");

    private readonly ResiliencePipeline _pipeline;

    public ResilientTargetChatClient(IChatClient innerClient, ResiliencePipeline pipeline)
        : base(innerClient)
    {
        _pipeline = pipeline;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        ValueTask<ChatResponse> pending;
        try
        {
            pending = _pipeline.ExecuteAsync(
                static (ctx, state) =>
                {
                    Task<ChatResponse> call;
                    try
                    {
                        call = state.Inner.GetResponseAsync(state.Messages, state.Options, ctx.CancellationToken);
                    }
#pragma warning disable CA1031 // Not swallowed: the pipeline sees it as the attempt's outcome.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        return ValueTask.FromException<ChatResponse>(ex);
                    }

                    ctx.Properties.Set(CallKey, call);
                    return new ValueTask<ChatResponse>(call);
                },
                context,
                (Inner: InnerClient, Messages: messages, Options: options));
        }
        catch
        {
            ResilienceContextPool.Shared.Return(context);
            throw;
        }

        if (!pending.IsCompleted)
        {
            return AwaitAsync(pending, context);
        }

        // Completed at once (the usual case for an instant target or a cache): hand back the target's own task when it
        // carries the pipeline's result, instead of wrapping the result in a new one.
        Task<ChatResponse>? call = context.Properties.GetValue(CallKey, null!);
        ResilienceContextPool.Shared.Return(context);
        if (!pending.IsCompletedSuccessfully)
        {
            return pending.AsTask();
        }

        ChatResponse response = pending.Result;
        return call is { IsCompletedSuccessfully: true } && ReferenceEquals(call.Result, response) ? call : Task.FromResult(response);
    }

    private static async Task<ChatResponse> AwaitAsync(ValueTask<ChatResponse> pending, ResilienceContext context)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StreamStart start = await _pipeline.ExecuteAsync(
            static async (state, pipelineToken) =>
            {
                // Each attempt gets its own (pooled) token source linked to the caller's. Polly's token (which carries the
                // attempt timeout and is pooled) only guards the start; the stream itself lives on the caller's.
                var attempt = LinkedTokenSource.Start(state.CallerToken);
                IAsyncEnumerator<ChatResponseUpdate>? e = null;
                try
                {
                    using CancellationTokenRegistration guard = pipelineToken.UnsafeRegister(static s => ((LinkedTokenSource)s!).Cancel(), attempt);
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

    private static async ValueTask DisposeAsync(IAsyncEnumerator<ChatResponseUpdate>? enumerator, LinkedTokenSource attempt)
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

    private sealed record StreamStart(IAsyncEnumerator<ChatResponseUpdate> Enumerator, bool HasFirst, LinkedTokenSource Attempt);
}
