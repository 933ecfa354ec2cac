using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace QuickStart;

/// <summary>
/// A local stand-in for a hosted model: answers deterministically after a simulated latency and reports
/// realistic token usage, so the sample runs anywhere with no API key and no network.
/// </summary>
internal sealed class SimulatedChatClient : IChatClient
{
    private readonly string _model;
    private readonly TimeSpan _latency;
    private readonly ChatClientMetadata _metadata;

    public SimulatedChatClient(string model, TimeSpan latency)
    {
        _model = model;
        _latency = latency;
        _metadata = new ChatClientMetadata("simulated", new Uri("local://" + model), model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ChatMessage> conversation = [.. messages];
        await Task.Delay(_latency, cancellationToken).ConfigureAwait(false);
        string answer = Answer(conversation);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = options?.ModelId ?? _model,
            FinishReason = ChatFinishReason.Stop,
            Usage = Usage(conversation, answer),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ChatMessage> conversation = [.. messages];
        await Task.Delay(_latency, cancellationToken).ConfigureAwait(false);
        string answer = Answer(conversation);
        foreach (string word in answer.Split(' '))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ") { ModelId = options?.ModelId ?? _model };
        }

        yield return new ChatResponseUpdate { Contents = [new UsageContent(Usage(conversation, answer))], FinishReason = ChatFinishReason.Stop };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null : serviceType == typeof(ChatClientMetadata) ? _metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private string Answer(IReadOnlyList<ChatMessage> conversation)
    {
        // A stable hash (string.GetHashCode is randomised per process) keeps answers identical run to run.
        int words = 40 + (conversation[^1].Text.Sum(c => c) % 5 * 40);
        return $"[{_model}] " + string.Join(' ', Enumerable.Repeat("answer", words));
    }

    private static UsageDetails Usage(IReadOnlyList<ChatMessage> conversation, string answer)
    {
        long input = conversation.Sum(m => 4 + (m.Text.Length / 4));
        long output = answer.Length / 4;
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }
}
