using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// The updates a routed stream has sent to the caller, in order: what a <see cref="StreamInterruptedException"/> carries
/// and what a continuation is built from.
/// </summary>
internal sealed class StreamedUpdates
{
    private readonly List<ChatResponseUpdate> _updates = [];

    public int Count => _updates.Count;

    public void Add(ChatResponseUpdate update) => _updates.Add(update);

    public ReadOnlySpan<ChatResponseUpdate> AsSpan() => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_updates);

    /// <summary>A copy that outlives the stream (for an exception).</summary>
    public ChatResponseUpdate[] ToArray() => [.. _updates];
}
