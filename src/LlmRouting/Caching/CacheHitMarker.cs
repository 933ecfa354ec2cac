using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Tells the router that a target's per-target cache served a response: the cache puts the marker in the
/// response's (or update's) additional properties, and the router moves it onto <see cref="RouteInfo"/>.
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

    /// <summary>Moves a marker, if any, from <paramref name="properties"/> onto <paramref name="route"/>.</summary>
    public static AdditionalPropertiesDictionary Apply(AdditionalPropertiesDictionary properties, RouteInfo route)
    {
        if (properties.Remove(Key, out object? value) && value is CacheHitMarker marker)
        {
            route.IsCacheHit = true;
            route.CacheSimilarity ??= marker.Similarity;
        }

        return properties;
    }
}
