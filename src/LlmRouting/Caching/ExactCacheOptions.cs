using LlmRouting.Configuration;

namespace LlmRouting.Caching;

/// <summary>Settings of the exact response cache (<see cref="ExactCacheChatClient"/>).</summary>
public sealed class ExactCacheOptions
{
    /// <summary>Gets or sets how long an answer stays in the shared (L2, e.g. Redis) cache.</summary>
    /// <value>The default is one hour.</value>
    [Positive]
    public TimeSpan Expiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long an answer stays in the in-process (L1) cache; at most <see cref="Expiration"/>.</summary>
    /// <value>The default is five minutes.</value>
    [Positive]
    public TimeSpan LocalExpiration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets an extra veto on what is stored (after the built-in rules: no errors, refusals, truncated or incomplete answers).</summary>
    /// <value>The default is <see langword="null"/>: every answer the built-in rules allow is stored.</value>
    public Func<Microsoft.Extensions.AI.ChatResponse, bool>? ShouldCache { get; set; }
}
