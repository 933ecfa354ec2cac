using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Tests;

/// <summary>
/// A target that ignores its cancellation token: a call (or a stream, after <see cref="UpdatesBeforeStall"/> updates) waits
/// for <see cref="Release"/>, whatever the token does, then answers — or fails, with <see cref="FailWith"/>.
/// </summary>
internal sealed class NonCooperativeTarget
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public NonCooperativeTarget(string name)
    {
        Client = new TestChatClient(name)
        {
            GetResponseAsyncCallback = (_, _, _) => RespondAsync(name),
            GetStreamingResponseAsyncCallback = (_, _, _) => StreamAsync(name),
        };
    }

    public TestChatClient Client { get; }

    public int UpdatesBeforeStall { get; init; }

    /// <summary>Gets or sets what the call throws once released; <see langword="null"/> to answer.</summary>
    public Exception? FailWith { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets a task that completes when the target starts ignoring its token (the call is waiting for release).</summary>
    public Task Stalled => _stalled.Task;

    /// <summary>Gets a task that completes when the call or stream has ended on the target's side (a stream: disposed).</summary>
    public Task Ended => _ended.Task;

    public void Release() => _gate.TrySetResult();

    private async Task<ChatResponse> RespondAsync(string name)
    {
        Interlocked.Increment(ref _calls);
        try
        {
            _stalled.TrySetResult();
            await _gate.Task; // CancellationToken ignored
            return FailWith is { } failure
                ? throw failure
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{name} answers late")) { Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 } };
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(string name, [EnumeratorCancellation] CancellationToken ignored = default)
    {
        Interlocked.Increment(ref _calls);
        try
        {
            for (int i = 0; i < UpdatesBeforeStall; i++)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, $"{name} word{i} ");
            }

            _stalled.TrySetResult();
            await _gate.Task; // CancellationToken ignored
            if (FailWith is { } failure)
            {
                throw failure;
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, "late") { FinishReason = ChatFinishReason.Stop };
        }
        finally
        {
            _ended.TrySetResult();
        }
    }
}
