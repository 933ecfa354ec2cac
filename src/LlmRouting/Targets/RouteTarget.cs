using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>A named destination for requests: a chat client and its <see cref="TargetProfile"/>.</summary>
/// <remarks>
/// The <see cref="Client"/> is the target's dispatch pipeline (it applies the profile's model id and any
/// per-target decorators) and is the stable routing identity of the target, as Microsoft.Extensions.AI's
/// routing types expect. Instances are thread-safe.
/// </remarks>
public sealed class RouteTarget
{
    /// <summary>Initializes a new instance of the <see cref="RouteTarget"/> class.</summary>
    /// <param name="name">The target's unique name.</param>
    /// <param name="client">The client that serves the target.</param>
    /// <param name="profile">The target's profile.</param>
    public RouteTarget(string name, IChatClient client, TargetProfile profile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(profile);
        Name = name;
        Profile = profile;
        Client = new TargetChatClient(client, this);
    }

    /// <summary>Gets the target's unique name.</summary>
    public string Name { get; }

    /// <summary>Gets the target's profile.</summary>
    public TargetProfile Profile { get; }

    /// <summary>Gets the dispatch client for this target.</summary>
    public IChatClient Client { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
