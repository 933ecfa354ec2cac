using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Serializes a <see cref="RouteInfo"/> as a small, versioned, content-free form — <c>{"v":1,"target":…,"modelId":…,"tier":…}</c> —
/// so a cache above the router (MEAI's <c>UseDistributedCache</c>) never stores the request's analysis, candidates,
/// target profiles, usage or cost, and reads it back as a cache hit.
/// </summary>
/// <remarks>
/// What comes back from the serialized form is a route of its own: <see cref="RouteInfo.IsCacheHit"/>, cost 0, strategy
/// <c>cache</c>, no attempts and a new <see cref="RouteInfo.RouteId"/>; only the target that once
/// produced the answer (its name, model id and tier) is kept. A form of an unknown version reads as <see langword="null"/>.
/// </remarks>
internal sealed class RouteInfoJsonConverter : JsonConverter<RouteInfo>
{
    /// <summary>The strategy name reported on a route read back from a cache above the router.</summary>
    internal const string CacheStrategyName = "cache";

    /// <summary>The version of the serialized form.</summary>
    internal const int FormatVersion = 1;

    /// <inheritdoc/>
    public override RouteInfo? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return ReadCached(document.RootElement);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, RouteInfo value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteNumber("v", FormatVersion);
        writer.WriteString("target", value.Target);
        if (value.ModelId is { } modelId)
        {
            writer.WriteString("modelId", modelId);
        }

        writer.WriteString("tier", value.Tier.ToString());
        writer.WriteEndObject();
    }

    /// <summary>Reads the serialized form as a cache hit; <see langword="null"/> when it is not one this version writes.</summary>
    internal static RouteInfo? ReadCached(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("v", out JsonElement version) || !version.TryGetInt32(out int v) || v != FormatVersion
            || !element.TryGetProperty("target", out JsonElement target) || target.GetString() is not { Length: > 0 } name)
        {
            return null;
        }

        string? modelId = element.TryGetProperty("modelId", out JsonElement model) ? model.GetString() : null;
        QualityTier tier = element.TryGetProperty("tier", out JsonElement t) && Enum.TryParse(t.GetString(), ignoreCase: false, out QualityTier parsed) ? parsed : QualityTier.Standard;
        var served = new RouteTarget(name, DetachedClient.Instance, new TargetProfile { ModelId = modelId, Tier = tier });
        var registry = new TargetRegistry([served]);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return new RouteInfo(
            Guid.CreateVersion7(now), now, new RoutingRequest([new ChatMessage()]), new RouteCandidates(registry, [served]),
            RouteDecision.To(served, CacheStrategyName, "answered from a cache above the router; the request was not routed"), TimeSpan.Zero, baselineProfile: null, baselineTarget: null)
        {
            Outcome = RouteOutcome.Succeeded,
            IsCacheHit = true,
            Cost = 0m,
        };
    }

    /// <summary>The client of a target named by a cached route: the route only describes it, nothing calls it.</summary>
    private sealed class DetachedClient : IChatClient
    {
        public static DetachedClient Instance { get; } = new();

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A route read back from a cache describes the target that once answered; it cannot be called.");

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A route read back from a cache describes the target that once answered; it cannot be called.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
            // Holds nothing.
        }
    }
}
