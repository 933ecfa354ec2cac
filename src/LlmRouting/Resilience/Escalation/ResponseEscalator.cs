using Microsoft.Extensions.AI;
using LlmRouting.Execution;

namespace LlmRouting.Resilience;

/// <summary>Runs the registered <see cref="IResponseEvaluator"/>s over an answer and picks the target to escalate to.</summary>
internal sealed class ResponseEscalator
{
    private readonly IResponseEvaluator[] _evaluators;

    public ResponseEscalator(IEnumerable<IResponseEvaluator> evaluators, EscalationOptions? options = null)
    {
        _evaluators = [.. evaluators];
        HoldsStreams = options?.EvaluateStreams ?? false;
        MaxHeldCharacters = options?.MaxHeldCharacters ?? long.MaxValue;
    }

    public bool IsEmpty => _evaluators.Length == 0;

    /// <summary>Gets a value indicating whether streamed answers are held back and judged (<see cref="EscalationOptions.EvaluateStreams"/>).</summary>
    public bool HoldsStreams { get; }

    /// <summary>Gets how many characters of a streamed answer may be held back before it is released unjudged.</summary>
    public long MaxHeldCharacters { get; }

    /// <summary>Returns "evaluator: reason" for the first evaluator that rejects the answer, or <see langword="null"/>.</summary>
    public async ValueTask<string?> EvaluateAsync(ChatResponse response, RouteExecution route, ChatOptions? options, CancellationToken cancellationToken)
    {
        foreach (IResponseEvaluator evaluator in _evaluators)
        {
            if (await evaluator.EvaluateAsync(response, route.Request, options, cancellationToken).ConfigureAwait(false) is { } reason)
            {
                return $"{evaluator.Name}: {reason}";
            }
        }

        return null;
    }

    /// <summary>The next higher-tier candidate than <paramref name="served"/>: the lowest tier above it, cheapest first; <see langword="null"/> when none.</summary>
    /// <remarks>A conversation that keeps provider-side state on its target (conversation affinity) is never escalated.</remarks>
    public static RouteTarget? NextTier(RouteExecution route, RouteTarget served) =>
        route.Request.Agent is { HoldsProviderState: true } ? null
        : TargetOrdering.LowestTierCheapest(route.Candidates.Targets, t => t.Profile.Tier > served.Profile.Tier);
}
