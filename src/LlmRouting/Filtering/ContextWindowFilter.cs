using System.Globalization;

namespace LlmRouting.Filtering;

/// <summary>Rejects targets whose context window cannot hold the estimated input plus the requested output.</summary>
public sealed class ContextWindowFilter : IRouteCandidateFilter
{
    /// <summary>Gets the shared instance.</summary>
    public static ContextWindowFilter Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "context-window";

    /// <inheritdoc/>
    public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        TargetProfile profile = target.Profile;
        int? maxOutput = request.MaxOutputTokens;
        if (maxOutput is { } askedOutput && profile.MaxOutputTokens is { } targetMaxOutput && askedOutput > targetMaxOutput)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"max output {targetMaxOutput} < requested {askedOutput}");
            return false;
        }

        if (profile.ContextWindow is { } window)
        {
            long needed = (long)request.EstimatedInputTokens + (maxOutput ?? 0);
            if (needed > window)
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"context window {window} < {needed} tokens needed");
                return false;
            }
        }

        reason = null;
        return true;
    }
}
