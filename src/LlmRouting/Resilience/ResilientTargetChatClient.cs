using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>Runs a target's calls through its Polly pipeline (retry, circuit breaker, per-attempt timeout).</summary>
/// <remarks>
/// For streams the pipeline covers the start of the stream — up to the first update. Once an update has
/// been produced, nothing is retried here: a stream is never replayed from the start behind the caller's back.
/// Every call is raced against the attempt's token (<see cref="CancellationRace"/>), so the attempt timeout holds even
/// when the target ignores its token. In panic mode (every target's circuit open) a call bypasses the open circuit:
/// one try on the attempt timeout, and a success closes the circuit.
/// </remarks>
internal sealed class ResilientTargetChatClient : DelegatingChatClient
{
    /// <summary>The target's task of the attempt that produced the result, so a synchronous success returns it as is.</summary>
    private static readonly ResiliencePropertyKey<Task<ChatResponse>> CallKey = new("llmrouting.target-call");

    private readonly ResiliencePipeline _pipeline;
    private readonly TargetHealthMonitor.Entry? _circuit;

    public ResilientTargetChatClient(IChatClient innerClient, ResiliencePipeline pipeline)
        : base(innerClient)
    {
        _pipeline = pipeline;
    }

    /// <param name="innerClient">The target's client.</param>
    /// <param name="circuit">The target's pipeline and circuit, for panic probes.</param>
    public ResilientTargetChatClient(IChatClient innerClient, TargetHealthMonitor.Entry circuit)
        : this(innerClient, circuit.Pipeline)
    {
        _circuit = circuit;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_circuit is { InPanic: true } circuit)
        {
            return ProbeAsync(circuit, messages, options, cancellationToken);
        }

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
                    return new ValueTask<ChatResponse>(CancellationRace.Race(call, ctx.CancellationToken));
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

    /// <summary>A panic probe: one try past the open circuit, on the attempt timeout; a success closes the circuit.</summary>
    private async Task<ChatResponse> ProbeAsync(TargetHealthMonitor.Entry circuit, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ChatResponse response = await circuit.PanicPipeline!.ExecuteAsync(
            static (state, token) => new ValueTask<ChatResponse>(CancellationRace.GetResponseAsync(state.Inner, state.Messages, state.Options, token)),
            (Inner: InnerClient, Messages: messages, Options: options),
            cancellationToken).ConfigureAwait(false);
        await circuit.ClosePanicAsync().ConfigureAwait(false);
        return response;
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

    /// <summary>
    /// One stream: the pipeline covers its start, up to the first update (each attempt on its own token source linked to
    /// the caller's); then the target's updates pass through. A failure after the first update surfaces as the target threw it.
    /// </summary>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AttemptStream started = await StartAsync(messages, options, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!started.HasFirst)
            {
                yield break;
            }

            yield return started.Updates!.Current;
            while (await started.Updates.MoveNextAsync().ConfigureAwait(false))
            {
                yield return started.Updates.Current;
            }
        }
        finally
        {
            await started.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs the pipeline (in panic, the probe's) over the stream's start.</summary>
    private async ValueTask<AttemptStream> StartAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        TargetHealthMonitor.Entry? probe = _circuit is { InPanic: true } circuit ? circuit : null;
        AttemptStream started = await (probe?.PanicPipeline ?? _pipeline).ExecuteAsync(
            static (state, pipelineToken) => state.Client.StartAttemptAsync(state.Messages, state.Options, state.Token, pipelineToken),
            (Client: this, Messages: messages, Options: options, Token: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (probe is not null)
        {
            // The panic probe's stream has started: the target answers again.
            await probe.ClosePanicAsync().ConfigureAwait(false);
        }

        return started;
    }

    /// <summary>One attempt of the pipeline: starts the target's stream and waits for its first update.</summary>
    /// <remarks>
    /// The stream runs on a source linked to the caller's token: Polly's token (which carries the attempt timeout and is
    /// pooled) only guards the start, and the source is disposed (unlinked from the caller) when the stream ends.
    /// </remarks>
    private async ValueTask<AttemptStream> StartAttemptAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken callerToken, CancellationToken pipelineToken)
    {
        var attempt = new AttemptStream(callerToken);
        try
        {
            using CancellationTokenRegistration guard = pipelineToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), attempt);
            // Raced against the attempt's token for the whole stream: a target that ignores it is abandoned, not waited for.
            attempt.Updates = new RacedEnumerator<ChatResponseUpdate>(InnerClient.GetStreamingResponseAsync(messages, options, attempt.Token).GetAsyncEnumerator(attempt.Token), attempt.Token);
            attempt.HasFirst = await attempt.Updates.MoveNextAsync().ConfigureAwait(false);
            return attempt;
        }
        catch (OperationCanceledException ex) when (pipelineToken.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            await attempt.DisposeAsync().ConfigureAwait(false);

            // Surfaces as Polly's TimeoutRejectedException, which keeps (as its inner exception) whether the target was abandoned.
            throw ex is TargetAbandonedException ? new TargetAbandonedException(pipelineToken) : new OperationCanceledException(pipelineToken);
        }
        catch
        {
            await attempt.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// One attempt's stream: the token source it runs on, linked to the caller's token by one registration (as
    /// <see cref="TimeLimit"/> is), and the target's updates. Disposing it disposes the updates, then unlinks the source.
    /// </summary>
    private sealed class AttemptStream : CancellationTokenSource, IAsyncDisposable
    {
        private readonly CancellationTokenRegistration _link;

        public AttemptStream(CancellationToken callerToken) =>
            _link = callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), this);

        /// <summary>Gets or sets the target's updates (raced against <see cref="CancellationTokenSource.Token"/>), once the stream is started.</summary>
        public RacedEnumerator<ChatResponseUpdate>? Updates { get; set; }

        /// <summary>Gets or sets a value indicating whether the stream produced a first update (else it ended without one).</summary>
        public bool HasFirst { get; set; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (Updates is not null)
                {
                    await Updates.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                Dispose();
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Unlinking first waits for a caller cancellation already running, so nothing cancels the source once disposed.
                _link.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
