using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>
/// The updates a routed stream has sent to the caller, in order: what a <see cref="StreamInterruptedException"/> carries
/// and what a continuation is built from.
/// </summary>
internal sealed class StreamedUpdates : List<ChatResponseUpdate>
{
    public ReadOnlySpan<ChatResponseUpdate> AsSpan() => CollectionsMarshal.AsSpan(this);
}
