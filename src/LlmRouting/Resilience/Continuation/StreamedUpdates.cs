using System.Buffers;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The updates a routed stream has sent to the caller, in order: what a <see cref="StreamInterruptedException"/> carries
/// and what a continuation is built from. Kept in a pooled buffer, returned (cleared) when the stream ends.
/// </summary>
/// <remarks>A mutable struct held by the executor's iterator; never copy it.</remarks>
internal struct StreamedUpdates
{
    private const int InitialCapacity = 16;

    private ChatResponseUpdate[]? _buffer;

    public int Count { get; private set; }

    public void Add(ChatResponseUpdate update)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<ChatResponseUpdate>.Shared.Rent(InitialCapacity);
        }
        else if (Count == _buffer.Length)
        {
            ChatResponseUpdate[] larger = ArrayPool<ChatResponseUpdate>.Shared.Rent(Count * 2);
            Array.Copy(_buffer, larger, Count);
            Return(_buffer, Count);
            _buffer = larger;
        }

        _buffer[Count++] = update;
    }

    public readonly ReadOnlySpan<ChatResponseUpdate> AsSpan() => _buffer.AsSpan(0, Count);

    /// <summary>A copy that outlives the stream (for an exception).</summary>
    public readonly ChatResponseUpdate[] ToArray() => AsSpan().ToArray();

    /// <summary>Returns the buffer to the pool; the updates are no longer held.</summary>
    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            Return(buffer, Count);
            Count = 0;
        }
    }

    private static void Return(ChatResponseUpdate[] buffer, int count)
    {
        Array.Clear(buffer, 0, count);
        ArrayPool<ChatResponseUpdate>.Shared.Return(buffer);
    }
}
