using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Tests;

/// <summary>A hand-written fake in the Microsoft.Extensions.AI style: behaviour comes from callbacks.</summary>
public sealed class TestChatClient : IChatClient
{
    public TestChatClient(string name = "test")
    {
        Name = name;
        GetResponseAsyncCallback = (messages, options, _) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{Name} answers"))
            {
                ModelId = options?.ModelId ?? Name,
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500, TotalTokenCount = 1500 },
            });
        GetStreamingResponseAsyncCallback = (messages, options, ct) => DefaultStream(options, ct);
    }

    public string Name { get; }

    public int Calls => _calls;

    public ChatOptions? LastOptions { get; private set; }

    public IReadOnlyList<ChatMessage>? LastMessages { get; private set; }

    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> GetResponseAsyncCallback { get; set; }

    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> GetStreamingResponseAsyncCallback { get; set; }

    public bool Disposed { get; private set; }

    private int _calls;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastOptions = options;
        LastMessages = [.. messages];
        return GetResponseAsyncCallback(messages, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        LastOptions = options;
        LastMessages = [.. messages];
        return GetStreamingResponseAsyncCallback(messages, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => Disposed = true;

    private async IAsyncEnumerable<ChatResponseUpdate> DefaultStream(ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (string word in new[] { Name, " streams", " an answer" })
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word) { ModelId = options?.ModelId ?? Name };
        }

        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500, TotalTokenCount = 1500 })] };
    }
}
