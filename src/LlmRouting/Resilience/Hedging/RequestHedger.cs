using System.Diagnostics;
using Microsoft.Extensions.AI;
using Polly;
using Polly.Hedging;

namespace LlmRouting;

/// <summary>
/// Hedges a non-streaming request over the first targets of its chain with Polly's hedging strategy: the next
/// target starts once the previous one has run for its observed latency percentile (or at once when it fails
/// transiently); the first success wins and Polly cancels the rest.
/// </summary>
internal sealed class RequestHedger
{
    private static readonly ResiliencePropertyKey<HedgedRequest> RequestKey = new("llmrouting.hedged-request");

    private readonly ResiliencePipeline<ChatResponse> _pipeline;
    private readonly HedgingOptions _options;

    public RequestHedger(HedgingOptions options, Func<Exception, bool> shouldFallOver, TimeProvider timeProvider)
    {
        _options = options;
        Latencies = new LatencyWindow(options.SampleSize);
        _pipeline = new ResiliencePipelineBuilder<ChatResponse> { Name = "llmrouting-hedging", TimeProvider = timeProvider }
            .AddHedging(new HedgingStrategyOptions<ChatResponse>
            {
                MaxHedgedAttempts = options.MaxHedgedAttempts,
                ShouldHandle = args => new(args.Outcome.Exception is { } ex && ex is not OperationCanceledException && shouldFallOver(ex)),
                DelayGenerator = args => new(args.Context.Properties.GetValue(RequestKey, null!).Delay),
                ActionGenerator = args =>
                {
                    HedgedRequest request = args.PrimaryContext.Properties.GetValue(RequestKey, null!);
                    if (args.AttemptNumber >= request.Targets.Count)
                    {
                        return null;
                    }

                    RouteTarget target = request.Targets[args.AttemptNumber];
                    CancellationToken token = args.ActionContext.CancellationToken;
                    return () => request.CallAsync(target, token);
                },
            })
            .Build();
    }

    /// <summary>Gets the recent latencies per target the hedging delay is derived from.</summary>
    public LatencyWindow Latencies { get; }

    /// <summary>Runs the hedged request; <see cref="HedgedRequest.Started"/> tells which targets it used.</summary>
    public async ValueTask<(Outcome<ChatResponse> Outcome, HedgedRequest Request)> ExecuteAsync(
        RouteInfo route, IReadOnlyList<RouteTarget> chain, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        TimeSpan delay = Latencies.Percentile(chain[0].Name, _options.Percentile, _options.MinimumSamples) ?? _options.InitialDelay;
        if (delay < _options.MinimumDelay)
        {
            delay = _options.MinimumDelay;
        }

        int count = Math.Min(chain.Count, _options.MaxHedgedAttempts + 1);
        var request = new HedgedRequest(route, chain.Take(count).ToArray(), messages, options, delay, Latencies);
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(RequestKey, request);
            Outcome<ChatResponse> outcome = await _pipeline.ExecuteOutcomeAsync(
                static (ctx, r) => r.CallAsync(r.Targets[0], ctx.CancellationToken), context, request).ConfigureAwait(false);
            return (outcome, request);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
