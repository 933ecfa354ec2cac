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

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        new PipelineStream(this, messages, options, cancellationToken);

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

    /// <summary>
    /// One stream: the pipeline covers its start, up to the first update; then the target's own enumerator is passed
    /// through as it is (no state machine step and no allocation per update). Like a compiler-generated async iterator,
    /// the stream is its own first enumerator, and it combines the method's token with the enumerator's the same way.
    /// </summary>
    /// <remarks>
    /// A failure after the first update surfaces from <see cref="MoveNextAsync"/> as the target threw it; the target's
    /// enumerator and the attempt's token source are released by <see cref="DisposeAsync"/>, which every consumer calls.
    /// </remarks>
    private sealed class PipelineStream : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private const int Created = 0;
        private const int Starting = 1;
        private const int Streaming = 2;
        private const int Ended = 3;

        private readonly ResilientTargetChatClient _client;
        private readonly IEnumerable<ChatMessage> _messages;
        private readonly ChatOptions? _options;
        private readonly CancellationToken _methodToken;
        private CancellationToken _callerToken;
        private CancellationTokenSource? _combined;
        private IAsyncEnumerator<ChatResponseUpdate>? _updates;
        private LinkedTokenSource? _attempt;
        private int _state;
        private bool _hasFirst;

        public PipelineStream(ResilientTargetChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        {
            _client = client;
            _messages = messages;
            _options = options;
            _methodToken = cancellationToken;
            _callerToken = cancellationToken;
        }

        public ChatResponseUpdate Current => _state == Streaming ? _updates!.Current : null!;

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            PipelineStream stream = Interlocked.CompareExchange(ref _state, Starting, Created) == Created
                ? this
                : new PipelineStream(_client, _messages, _options, _methodToken) { _state = Starting };
            if (!stream._callerToken.CanBeCanceled)
            {
                stream._callerToken = cancellationToken;
            }
            else if (cancellationToken.CanBeCanceled && cancellationToken != stream._callerToken)
            {
                stream._combined = CancellationTokenSource.CreateLinkedTokenSource(stream._callerToken, cancellationToken);
                stream._callerToken = stream._combined.Token;
            }

            return stream;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            if (_state == Streaming)
            {
                return _updates!.MoveNextAsync();
            }

            if (_state != Starting)
            {
                return new ValueTask<bool>(false);
            }

            ValueTask<PipelineStream> started;
            try
            {
                started = _client._pipeline.ExecuteAsync(static (stream, pipelineToken) => stream.StartAttemptAsync(pipelineToken), this, _callerToken);
            }
#pragma warning disable CA1031 // Not swallowed: it faults this MoveNextAsync, as an async iterator's would be.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _state = Ended;
                return ValueTask.FromException<bool>(ex);
            }

            return started.IsCompletedSuccessfully ? new ValueTask<bool>(Started()) : AwaitStartAsync(started);
        }

        public async ValueTask DisposeAsync()
        {
            _state = Ended;
            IAsyncEnumerator<ChatResponseUpdate>? updates = _updates;
            LinkedTokenSource? attempt = _attempt;
            CancellationTokenSource? combined = _combined;
            _updates = null;
            _attempt = null;
            _combined = null;
            try
            {
                if (attempt is not null)
                {
                    await ResilientTargetChatClient.DisposeAsync(updates, attempt).ConfigureAwait(false);
                }
            }
            finally
            {
                combined?.Dispose();
            }
        }

        private bool Started()
        {
            _state = _hasFirst ? Streaming : Ended;
            return _hasFirst;
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> AwaitStartAsync(ValueTask<PipelineStream> started)
        {
            try
            {
                await started.ConfigureAwait(false);
            }
            catch
            {
                _state = Ended;
                throw;
            }

            return Started();
        }

        /// <summary>One attempt of the pipeline: starts the target's stream and waits for its first update.</summary>
        private async ValueTask<PipelineStream> StartAttemptAsync(CancellationToken pipelineToken)
        {
            // Each attempt gets its own (pooled) token source linked to the caller's. Polly's token (which carries the
            // attempt timeout and is pooled) only guards the start; the stream itself lives on the caller's.
            var attempt = LinkedTokenSource.Start(_callerToken);
            IAsyncEnumerator<ChatResponseUpdate>? e = null;
            try
            {
                using CancellationTokenRegistration guard = pipelineToken.UnsafeRegister(static s => ((LinkedTokenSource)s!).Cancel(), attempt);
                e = _client.InnerClient.GetStreamingResponseAsync(_messages, _options, attempt.Token).GetAsyncEnumerator(attempt.Token);
                _hasFirst = await e.MoveNextAsync().ConfigureAwait(false);
                _updates = e;
                _attempt = attempt;
                return this;
            }
            catch (OperationCanceledException) when (pipelineToken.IsCancellationRequested && !_callerToken.IsCancellationRequested)
            {
                await ResilientTargetChatClient.DisposeAsync(e, attempt).ConfigureAwait(false);
                pipelineToken.ThrowIfCancellationRequested(); // surfaces as Polly's TimeoutRejectedException
                throw;
            }
            catch
            {
                await ResilientTargetChatClient.DisposeAsync(e, attempt).ConfigureAwait(false);
                throw;
            }
        }
    }
}
