using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Reads the <see cref="RouteInfo"/> the router attached to a response, a message or a streaming update.</summary>
/// <remarks>
/// The router attaches the route to the response (and to every update of a stream). MEAI moves an update's
/// additional properties onto the message it builds (<c>ToChatResponse</c>, <c>ToChatResponseAsync</c>), so the
/// response's reader also looks at its messages, the last first. A response replayed by a cache above the router
/// (MEAI's <c>UseDistributedCache</c>) carries only the route's small serialized form (version 1: target, model id and tier);
/// it is read as a cache hit, free, with a route id of its own, never as the route of the request that filled the cache.
/// </remarks>
public static class RouteInfoExtensions
{
    /// <summary>Gets the route info of a routed response, wherever MEAI put it: on the response or on one of its messages.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The route info, or <see langword="null"/> if the response did not come through a router.</returns>
    public static RouteInfo? GetRouteInfo(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Read(response.AdditionalProperties) is { } route)
        {
            return route;
        }

        IList<ChatMessage> messages = response.Messages;
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (Read(messages[i].AdditionalProperties) is { } onMessage)
            {
                return onMessage;
            }
        }

        return null;
    }

    /// <summary>Gets the route info on a message (where MEAI puts a stream's route when it combines the updates).</summary>
    /// <param name="message">The message.</param>
    /// <returns>The route info, or <see langword="null"/> if the message carries none.</returns>
    public static RouteInfo? GetRouteInfo(this ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Read(message.AdditionalProperties);
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

    private static RouteInfo? Read(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || !properties.TryGetValue(RequestMetadataKeys.RouteInfo, out object? value))
        {
            return null;
        }

        if (value is JsonElement serialized && RouteInfoJsonConverter.ReadCached(serialized) is { } cached)
        {
            // Replayed by a cache above the router: read once as a cache hit, then the same instance on every read.
            properties[RequestMetadataKeys.RouteInfo] = cached;
            return cached;
        }

        return value as RouteInfo;
    }
}
