using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// Tells the router that a target's per-target cache served a response: the cache puts the marker in the
/// response's (or update's) additional properties, and the router's execution moves it onto <see cref="RouteInfo"/>.
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
    public static bool TryTake(AdditionalPropertiesDictionary properties, out double? similarity)
    {
        if (properties.Remove(Key, out object? value) && value is CacheHitMarker marker)
        {
            similarity = marker.Similarity;
            return true;
        }

        similarity = null;
        return false;
    }
}
