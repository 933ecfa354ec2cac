using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>Rejects empty answers (no text and no function call) and answers cut off by the output-token limit (<see cref="ChatFinishReason.Length"/>).</summary>
public sealed class TruncatedAnswerEvaluator : IResponseEvaluator
{
    /// <inheritdoc/>
    public string Name => "truncated";

    /// <inheritdoc/>
    public ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.FinishReason == ChatFinishReason.Length)
        {
            return new("truncated at the output-token limit");
        }

        bool hasCall = response.Messages.Any(m => m.Contents.Any(c => c is FunctionCallContent));
        return new(!hasCall && string.IsNullOrWhiteSpace(response.Text) ? "empty answer" : null);
    }
}
