using Microsoft.Extensions.AI;
using Polly;
using Polly.Hedging;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>
/// Hedges a request over the first targets of its chain with Polly's hedging strategy: the next target starts once the
/// previous one has run for its observed latency percentile (or at once when it fails transiently); the first success
/// wins and Polly cancels the rest. A non-streaming attempt succeeds with its response, a streaming one with its first
/// update — so streams hedge on the observed time to first token.
/// </summary>
internal sealed class RequestHedger
{
    private readonly ResiliencePipeline<ChatResponse> _pipeline;
    private readonly ResiliencePipeline<StreamStart> _streamPipeline;
    private readonly HedgingOptions _options;

    public RequestHedger(HedgingOptions options, Func<Exception, bool> shouldFallOver, TimeProvider timeProvider)
    {
        _options = options;
        Latencies = new LatencyWindow(options.SampleSize);
        FirstTokens = new LatencyWindow(options.SampleSize);
        _pipeline = Build<ChatResponse>("llmrouting-hedging", options, shouldFallOver, timeProvider);
        _streamPipeline = Build<StreamStart>("llmrouting-stream-hedging", options, shouldFallOver, timeProvider);
    }

    /// <summary>Gets the recent latencies per target the non-streaming hedging delay is derived from.</summary>
    public LatencyWindow Latencies { get; }

    /// <summary>Gets the recent times to first update per target the streaming hedging delay is derived from.</summary>
    public LatencyWindow FirstTokens { get; }

    /// <summary>Gets a value indicating whether streams are hedged too.</summary>
    public bool HedgesStreams => _options.HedgeStreams;

    /// <summary>Runs the hedged request; <see cref="HedgedCall{T}.Started"/> tells which targets it used.</summary>
    public async ValueTask<(Outcome<ChatResponse> Outcome, HedgedRequest Request)> ExecuteAsync(
        RouteExecution route, IReadOnlyList<RouteTarget> chain, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var request = new HedgedRequest(route, Hedged(chain), messages, options, Delay(Latencies, chain), Latencies);
        return (await RunAsync(_pipeline, request, cancellationToken).ConfigureAwait(false), request);
    }

    /// <summary>A hedged stream over the first targets of <paramref name="chain"/>, delayed by the primary's observed time to first token.</summary>
    public HedgedStream Stream(RouteExecution route, IReadOnlyList<RouteTarget> chain, Func<Exception, bool> shouldFallOver, CancellationToken callerToken) =>
        new(route, chain, Hedged(chain), Delay(FirstTokens, chain), this, shouldFallOver, callerToken);

    /// <summary>Runs a hedged stream until one attempt has produced its first update (or all have failed).</summary>
    public ValueTask<Outcome<StreamStart>> ExecuteAsync(HedgedStream stream, CancellationToken cancellationToken) =>
        RunAsync(_streamPipeline, stream, cancellationToken);

    private static ResiliencePipeline<T> Build<T>(string name, HedgingOptions options, Func<Exception, bool> shouldFallOver, TimeProvider timeProvider)
        where T : class =>
        new ResiliencePipelineBuilder<T> { Name = name, TimeProvider = timeProvider }
            .AddHedging(new HedgingStrategyOptions<T>
            {
                MaxHedgedAttempts = options.MaxHedgedAttempts,
                ShouldHandle = args => new(args.Outcome.Exception is { } ex && ex is not OperationCanceledException && shouldFallOver(ex)),
                DelayGenerator = args => new(args.Context.Properties.GetValue(Key<T>(), null!).Delay),
                ActionGenerator = args =>
                {
                    HedgedCall<T> call = args.PrimaryContext.Properties.GetValue(Key<T>(), null!);
                    if (args.AttemptNumber >= call.Targets.Count)
                    {
                        return null;
                    }

                    RouteTarget target = call.Targets[args.AttemptNumber];
                    CancellationToken token = args.ActionContext.CancellationToken;
                    return () => call.CallAsync(target, token);
                },
            })
            .Build();

    private static ResiliencePropertyKey<HedgedCall<T>> Key<T>()
        where T : class => new("llmrouting.hedged-call");

    private static async ValueTask<Outcome<T>> RunAsync<T>(ResiliencePipeline<T> pipeline, HedgedCall<T> call, CancellationToken cancellationToken)
        where T : class
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(Key<T>(), call);
            return await pipeline.ExecuteOutcomeAsync(static (ctx, c) => c.CallAsync(c.Targets[0], ctx.CancellationToken), context, call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private RouteTarget[] Hedged(IReadOnlyList<RouteTarget> chain) => [.. chain.Take(Math.Min(chain.Count, _options.MaxHedgedAttempts + 1))];

    private TimeSpan Delay(LatencyWindow window, IReadOnlyList<RouteTarget> chain)
    {
        TimeSpan delay = window.Percentile(chain[0].Name, _options.Percentile, _options.MinimumSamples) ?? _options.InitialDelay;
        return delay < _options.MinimumDelay ? _options.MinimumDelay : delay;
    }
}
