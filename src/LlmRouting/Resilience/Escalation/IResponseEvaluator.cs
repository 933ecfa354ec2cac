using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>
/// Judges a target's answer before it reaches the caller; a rejected answer is escalated once to the next
/// higher-tier candidate (<see cref="EscalationLlmRouterBuilderExtensions.UseEscalation"/>).
/// </summary>
/// <remarks>Register custom evaluators in DI as <see cref="IResponseEvaluator"/> singletons; every registered evaluator runs, in registration order, until one rejects.</remarks>
public interface IResponseEvaluator
{
    /// <summary>Gets the evaluator's name, recorded in the escalated attempt.</summary>
    string Name { get; }

    /// <summary>Judges an answer.</summary>
    /// <param name="response">The answer.</param>
    /// <param name="request">The request as the router saw it.</param>
    /// <param name="options">The caller's chat options (e.g. the requested response format).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns><see langword="null"/> when the answer is acceptable; otherwise a short, content-free reason to escalate.</returns>
    ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken);
}
