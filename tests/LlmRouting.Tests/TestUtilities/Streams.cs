using Microsoft.Extensions.AI;

namespace LlmRouting.Tests;

/// <summary>Small helpers for streaming tests.</summary>
public static class Streams
{
    /// <summary>Reads a stream to its end.</summary>
    public static async Task<List<ChatResponseUpdate>> ReadAllAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }

    /// <summary>A stream that fails before its first update.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> FailBeforeTheFirstUpdate(Exception failure)
    {
        await Task.Yield();
        throw failure;
#pragma warning disable CS0162 // an iterator needs a yield
        yield break;
#pragma warning restore CS0162
    }
}
