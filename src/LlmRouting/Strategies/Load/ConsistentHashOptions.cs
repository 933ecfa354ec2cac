using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Consistent hashing of requests onto targets by a key (user, session, tenant …).</summary>
public sealed class ConsistentHashOptions
{
    /// <summary>Gets or sets the request metadata key to hash; requests without it make the strategy abstain.</summary>
    /// <value>The default is <c>user</c>.</value>
    [NotBlank]
    public string Key { get; set; } = RequestMetadataKeys.User;

    /// <summary>Gets or sets the points each target has on the ring; more points, a more even spread.</summary>
    /// <value>The default is 160.</value>
    [Range(1, 10_000)]
    public int VirtualNodes { get; set; } = 160;

    /// <summary>Gets the targets on the ring; empty for every configured target.</summary>
    public IList<string> Targets { get; } = [];
}
