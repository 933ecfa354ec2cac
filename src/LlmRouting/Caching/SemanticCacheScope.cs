namespace LlmRouting.Caching;

/// <summary>Where a semantic-cache entry may be found: one tenant and one context partition; lookups never cross scopes.</summary>
/// <param name="Tenant">The tenant (the empty string for requests without one).</param>
/// <param name="Partition">The context: a hash of the system prompt, earlier turns, options and any custom partition.</param>
public readonly record struct SemanticCacheScope(string Tenant, string Partition);
