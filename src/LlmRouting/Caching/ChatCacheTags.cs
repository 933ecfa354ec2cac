namespace LlmRouting.Caching;

/// <summary>The <see cref="Microsoft.Extensions.Caching.Hybrid.HybridCache"/> tags every exact-cache entry carries, for invalidation with <c>RemoveByTagAsync</c>.</summary>
/// <example><code>await hybridCache.RemoveByTagAsync(ChatCacheTags.ForTenant("acme"));</code></example>
public static class ChatCacheTags
{
    /// <summary>The tag on every entry of the exact cache.</summary>
    public const string All = "llmrouting";

    /// <summary>Gets the tag on every entry of one tenant (requests without a tenant share the empty tenant).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The tag.</returns>
    public static string ForTenant(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return "llmrouting:tenant:" + tenant;
    }

    /// <summary>Gets the tag on every entry answered by one target.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>The tag.</returns>
    public static string ForTarget(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        return "llmrouting:target:" + target;
    }
}
