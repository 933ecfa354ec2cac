using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Cli.Evaluation;

/// <summary>A target's stand-in for a configured evaluation: answers each prompt with that target's recorded outcome and reports its token use.</summary>
/// <remarks>The prompt is identified by its index in <see cref="ChatOptions.AdditionalProperties"/> under <see cref="PromptIndexKey"/>.</remarks>
internal sealed class SimulatedTargetClient(string target, IReadOnlyList<double> outcomes, IReadOnlyList<int> inputTokens, int outputTokens) : IChatClient
{
    /// <summary>The request property holding the prompt's index.</summary>
    public const string PromptIndexKey = "llmroute.prompt";

    public string Target => target;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int i = Index(options);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, outcomes[i].ToString("R", CultureInfo.InvariantCulture)))
        {
            ModelId = target,
            Usage = new UsageDetails { InputTokenCount = inputTokens[i], OutputTokenCount = outputTokens, TotalTokenCount = inputTokens[i] + outputTokens },
            FinishReason = ChatFinishReason.Stop,
        };
        return Task.FromResult(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private int Index(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PromptIndexKey, out object? value) == true && value is int i && (uint)i < (uint)outcomes.Count
            ? i
            : throw new InvalidOperationException($"Target '{target}' was called without the evaluated prompt's index; the configuration's decorators must pass ChatOptions.AdditionalProperties through.");
}
