using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>One hedged non-streaming request: each attempt is a whole response.</summary>
internal sealed class HedgedRequest : HedgedCall<ChatResponse>
{
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;

    public HedgedRequest(RouteExecution route, RouteTarget[] targets, IEnumerable<ChatMessage> messages, ChatOptions? options, TimeSpan delay, LatencyWindow latencies)
        : base(route, targets, delay, latencies)
    {
        _messages = messages;
        _options = options;
    }

    protected override Task<ChatResponse> StartAsync(RouteTarget target, CancellationToken cancellationToken) =>
        CancellationRace.GetResponseAsync(target.Client, _messages, _options, cancellationToken);

    protected override UsageDetails? UsageOf(ChatResponse result) => result.Usage;

    protected override string OutputOf(ChatResponse result) => result.Text;

    protected override void ChargeWinner(TargetAttempt attempt, ChatResponse result) => attempt.Answered(result);
}
