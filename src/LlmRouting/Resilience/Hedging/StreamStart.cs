using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>A stream that has started: its enumerator, on its first update when there is one, and the token source it runs on.</summary>
/// <remarks>Disposing it cancels the stream's token first, so the provider's connection is closed at once, then disposes the enumerator.</remarks>
internal sealed class StreamStart : IAsyncDisposable
{
    private readonly CancellationTokenSource _attempt;
    private bool _disposed;

    public StreamStart(IAsyncEnumerator<ChatResponseUpdate> updates, bool hasFirst, CancellationTokenSource attempt)
    {
        Updates = updates;
        First = hasFirst ? updates.Current : null;
        _attempt = attempt;
    }

    public IAsyncEnumerator<ChatResponseUpdate> Updates { get; }

    /// <summary>Gets the first update, or <see langword="null"/> when the stream ended without any.</summary>
    public ChatResponseUpdate? First { get; }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await _attempt.CancelAsync().ConfigureAwait(false);
            await Updates.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _attempt.Dispose();
        }
    }
}
