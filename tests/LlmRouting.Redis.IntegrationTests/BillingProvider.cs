using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Redis.IntegrationTests;

/// <summary>
/// A provider that bills each call at <see cref="InputPrice"/>/<see cref="OutputPrice"/> per million tokens, after a random
/// delay, and adds up what it billed (thread-safe), so a test can compare the budget's spend with the provider's bill.
/// </summary>
/// <param name="delayMs">The delay range in milliseconds (inclusive minimum, exclusive maximum).</param>
/// <param name="inputTokens">The input tokens billed for a request.</param>
/// <param name="outputTokens">The output token range (inclusive minimum, exclusive maximum).</param>
/// <param name="answer">The answer's text.</param>
public sealed class BillingProvider((int Min, int Max) delayMs, Func<IEnumerable<ChatMessage>, int> inputTokens, (int Min, int Max) outputTokens, string answer) : IChatClient
{
    public const decimal InputPrice = 1000m;
    public const decimal OutputPrice = 2000m;

    private readonly Lock _gate = new();
    private decimal _billed;

    public decimal Billed
    {
        get
        {
            lock (_gate)
            {
                return _billed;
            }
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Random.Shared.Next(delayMs.Min, delayMs.Max), cancellationToken);
        int input = inputTokens(messages);
        int output = Random.Shared.Next(outputTokens.Min, outputTokens.Max);
        lock (_gate)
        {
            _billed += ((input * InputPrice) + (output * OutputPrice)) / 1_000_000m;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
