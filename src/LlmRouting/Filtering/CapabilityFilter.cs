namespace LlmRouting.Filtering;

/// <summary>Rejects targets that lack a capability the request needs (tools, vision, JSON schema, reasoning).</summary>
/// <remarks>A target whose capabilities are unknown (<see cref="TargetProfile.Capabilities"/> is <see langword="null"/>) is not rejected.</remarks>
public sealed class CapabilityFilter : IRouteCandidateFilter
{
    /// <summary>Gets the shared instance.</summary>
    public static CapabilityFilter Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "capabilities";

    /// <inheritdoc/>
    public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        ModelCapabilities missing = target.Profile.Capabilities is { } offered ? request.RequiredCapabilities & ~offered : ModelCapabilities.None;
        if (missing == ModelCapabilities.None)
        {
            reason = null;
            return true;
        }

        reason = $"lacks {missing}";
        return false;
    }
}
