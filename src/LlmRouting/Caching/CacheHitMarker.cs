using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// Tells the router that a target's per-target cache served a response: the cache puts the marker in the
/// response's (or update's) additional properties, and the router's execution moves it onto <see cref="RouteInfo"/>.
/// Any other cache between the router and the provider is recognised by the <see cref="ProviderResponseStamp"/> it replays.
/// </summary>
internal sealed class CacheHitMarker
{
    /// <summary>The additional-properties key of the marker; never serialized (the router removes it).</summary>
    public const string Key = "llmrouting.cache";

    public static CacheHitMarker Exact { get; } = new(null);

    public CacheHitMarker(double? similarity)
    {
        Similarity = similarity;
    }

    public double? Similarity { get; }

    /// <summary>Takes a marker, if any, out of <paramref name="properties"/>.</summary>
    /// <param name="properties">A response's or update's additional properties.</param>
    /// <param name="similarity">The similarity of the cached request (semantic cache), else <see langword="null"/>.</param>
    /// <returns>Whether a cache served it.</returns>
    /// <param name="streamed">Whether <paramref name="properties"/> are an update's: a fresh stamp stays there, as a cache below the router stores the updates only once the stream has ended.</param>
    public static bool TryTake(AdditionalPropertiesDictionary properties, out double? similarity, bool streamed = false)
    {
        similarity = null;
        bool replayed = false;
        if (properties.TryGetValue(ProviderResponseStamp.Key, out object? stamp))
        {
            replayed = !ReferenceEquals(stamp, ProviderResponseStamp.Fresh);
            if (replayed || !streamed)
            {
                properties.Remove(ProviderResponseStamp.Key);
            }
        }

        if (properties.Remove(Key, out object? value) && value is CacheHitMarker marker)
        {
            similarity = marker.Similarity;
            return true;
        }

        // A provider's stamp that is not the live value came back through serialization: a cache below the router replayed it.
        return replayed;
    }
}
