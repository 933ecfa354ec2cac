using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Reads the <see cref="RouteInfo"/> the router attached to a response or streaming update.</summary>
public static class RouteInfoExtensions
{
    /// <summary>Gets the route info of a routed response.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The route info, or <see langword="null"/> if the response did not come through a router.</returns>
    public static RouteInfo? GetRouteInfo(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties);
    }

    /// <summary>Gets the route info of a routed streaming update.</summary>
    /// <param name="update">The update.</param>
    /// <returns>The route info, or <see langword="null"/> if the update did not come through a router.</returns>
    public static RouteInfo? GetRouteInfo(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Read(update.AdditionalProperties);
    }

    internal static void SetRouteInfo(this ChatResponse response, RouteInfo info) =>
        (response.AdditionalProperties ??= [])[RequestMetadataKeys.RouteInfo] = info;

    internal static void SetRouteInfo(this ChatResponseUpdate update, RouteInfo info) =>
        (update.AdditionalProperties ??= [])[RequestMetadataKeys.RouteInfo] = info;

    private static RouteInfo? Read(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(RequestMetadataKeys.RouteInfo, out object? value) ? value as RouteInfo : null;
}
