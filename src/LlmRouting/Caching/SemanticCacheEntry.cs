namespace LlmRouting.Caching;

/// <summary>A stored answer of the semantic cache: the serialized response (never the router's route info), who answered, and when it expires.</summary>
/// <param name="Response">The response as UTF-8 JSON (Microsoft.Extensions.AI's serialization); deserialized anew for every hit.</param>
/// <param name="Target">The target that answered, if a router served it.</param>
/// <param name="ExpiresAt">When the entry stops being served.</param>
public sealed record SemanticCacheEntry(ReadOnlyMemory<byte> Response, string? Target, DateTimeOffset ExpiresAt);
