namespace LlmRouting.Strategies;

/// <summary>Consistent hashing of requests onto targets by a key (user, session, tenant …).</summary>
public sealed class ConsistentHashOptions
{
    /// <summary>Gets or sets the request metadata key to hash; requests without it make the strategy abstain.</summary>
    /// <value>The default is <c>user</c>.</value>
    public string Key { get; set; } = RequestMetadataKeys.User;

    /// <summary>Gets or sets the points each target has on the ring; more points, a more even spread.</summary>
    /// <value>The default is 160.</value>
    public int VirtualNodes { get; set; } = 160;

    /// <summary>Gets the targets on the ring; empty for every configured target.</summary>
    public IList<string> Targets { get; } = [];

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Key, "ConsistentHashOptions.Key");
        if (VirtualNodes is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(VirtualNodes), VirtualNodes, "ConsistentHashOptions.VirtualNodes must be from 1 to 10000.");
        }
    }
}
