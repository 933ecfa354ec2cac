using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Polly;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>
/// One hedged stream: an attempt succeeds when its stream produces its first update. The winner's stream continues
/// to the caller; Polly cancels the losers and disposes the ones that had started too (closing their connections).
/// If every hedged attempt fails transiently, the rest of the chain falls over as usual.
/// </summary>
internal sealed class HedgedStream : HedgedCall<StreamStart>, IStreamSource
{
    private readonly RequestHedger _hedger;
    private readonly IReadOnlyList<RouteTarget> _chain;
    private readonly Func<Exception, bool> _shouldFallOver;
    private readonly CancellationToken _callerToken;
    private IEnumerable<ChatMessage> _messages = [];
    private ChatOptions? _options;
    private CancellationToken _token;
    private DecisionFailoverChatClient? _fallback;
    private TargetAttempt? _winner;

    public HedgedStream(RouteExecution route, IReadOnlyList<RouteTarget> chain, RouteTarget[] hedged, TimeSpan delay, RequestHedger hedger, Func<Exception, bool> shouldFallOver, CancellationToken callerToken)
        : base(route, hedged, delay, hedger.FirstTokens)
    {
        _chain = chain;
        _hedger = hedger;
        _shouldFallOver = shouldFallOver;
        _callerToken = callerToken;
    }

    public TargetAttempt? Attempt => _fallback?.Attempt ?? _winner;

    public IReadOnlyList<RouteTarget> Remaining => _fallback?.Remaining ?? [.. _chain.Skip(Started)];

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _messages = messages;
        _options = options;
        _token = cancellationToken;
        Outcome<StreamStart> outcome = await _hedger.ExecuteAsync(this, cancellationToken).ConfigureAwait(false);
        _winner = Record(outcome.Result, _callerToken);
        if (outcome.Exception is { } failure)
        {
            IReadOnlyList<RouteTarget> rest = [.. _chain.Skip(Started)];
            if (failure is OperationCanceledException || !_shouldFallOver(failure) || rest.Count == 0)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            _fallback = new DecisionFailoverChatClient(Route, rest, _shouldFallOver, _callerToken);
            await foreach (ChatResponseUpdate update in _fallback.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        StreamStart winner = outcome.Result!;
        try
        {
            if (winner.First is null)
            {
                yield break;
            }

            yield return winner.First;
            while (await winner.Updates.MoveNextAsync().ConfigureAwait(false))
            {
                yield return winner.Updates.Current;
            }
        }
        finally
        {
            await winner.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _fallback?.Dispose();

    protected override async Task<StreamStart> StartAsync(RouteTarget target, CancellationToken cancellationToken)
    {
        // The stream runs on its own source linked to the request: Polly's token (pooled, reused once the hedge is
        // decided) only guards the start, so cancelling a loser closes its stream and the winner's lives on.
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(_token);
        RacedEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), attempt))
            {
                updates = new RacedEnumerator<ChatResponseUpdate>(target.Client.GetStreamingResponseAsync(_messages, _options, attempt.Token).GetAsyncEnumerator(attempt.Token), attempt.Token);
                bool hasFirst = await updates.MoveNextAsync().ConfigureAwait(false);
                return new StreamStart(updates, hasFirst, attempt);
            }
        }
        catch
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }

            attempt.Dispose();
            throw;
        }
    }

    protected override UsageDetails? UsageOf(StreamStart result) => result.First is { } first ? StreamUsage.Reported(first) : null;

    protected override string OutputOf(StreamStart result) => result.First?.Text ?? string.Empty;

    // The winner's stream is charged by the executor when it ends: its usage arrives with its last updates.
    protected override void ChargeWinner(TargetAttempt attempt, StreamStart result)
    {
    }
}
