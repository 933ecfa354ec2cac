using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>A provider that answers instantly, so a benchmark measures only what sits in front of it.</summary>
internal sealed class NullChatClient : IChatClient
{
    private static readonly ChatMessage Answer = new(ChatRole.Assistant, "ok");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(Answer) { Usage = new UsageDetails { InputTokenCount = 250, OutputTokenCount = 50 } });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
