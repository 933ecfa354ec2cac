namespace LlmRouting.Caching;

/// <summary>Settings of the exact response cache (<see cref="ExactCacheChatClient"/>).</summary>
public sealed class ExactCacheOptions
{
    /// <summary>Gets or sets how long an answer stays in the shared (L2, e.g. Redis) cache.</summary>
    /// <value>The default is one hour.</value>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long an answer stays in the in-process (L1) cache; at most <see cref="Expiration"/>.</summary>
    /// <value>The default is five minutes.</value>
    public TimeSpan LocalExpiration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets an extra veto on what is stored (after the built-in rules: no errors, refusals, truncated or incomplete answers).</summary>
    /// <value>The default is <see langword="null"/>: every answer the built-in rules allow is stored.</value>
    public Func<Microsoft.Extensions.AI.ChatResponse, bool>? ShouldCache { get; set; }

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An expiration is not positive.</exception>
    public void Validate()
    {
        if (Expiration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Expiration), Expiration, "ExactCacheOptions.Expiration must be positive.");
        }

        if (LocalExpiration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LocalExpiration), LocalExpiration, "ExactCacheOptions.LocalExpiration must be positive.");
        }
    }
}
