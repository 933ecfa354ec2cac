using Microsoft.Extensions.AI;

namespace LlmRouting.Costs;

/// <summary>Computes what a request cost from its reported token usage and a target's prices.</summary>
/// <remarks>
/// Input tokens include cached input tokens (as providers report them); cached tokens are billed at the
/// cached price when the profile has one. Reasoning tokens are part of the output count and billed as
/// output. All arithmetic is <see cref="decimal"/>.
/// </remarks>
public static class RoutingCost
{
    /// <summary>Computes the cost of <paramref name="usage"/> at <paramref name="profile"/>'s prices.</summary>
    /// <param name="usage">The usage the provider reported.</param>
    /// <param name="profile">The target's profile.</param>
    /// <returns>The cost, or <see langword="null"/> when the provider reported no usage.</returns>
    public static decimal? Compute(UsageDetails? usage, TargetProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (usage is null || (usage.InputTokenCount is null && usage.OutputTokenCount is null))
        {
            return null;
        }

        return Compute(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0, usage.CachedInputTokenCount ?? 0, profile);
    }

    /// <summary>Computes the cost of the given token counts at <paramref name="profile"/>'s prices.</summary>
    /// <param name="inputTokens">Input tokens, cached ones included.</param>
    /// <param name="outputTokens">Output tokens, reasoning ones included.</param>
    /// <param name="cachedInputTokens">The part of the input served from the provider's prompt cache.</param>
    /// <param name="profile">The target's profile.</param>
    /// <returns>The cost.</returns>
    public static decimal Compute(long inputTokens, long outputTokens, long cachedInputTokens, TargetProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        long cached = Math.Clamp(cachedInputTokens, 0, Math.Max(inputTokens, 0));
        long uncached = Math.Max(inputTokens, 0) - cached;

        // Per-token prices are precomputed by the profile: three multiplications, no division, on the hot path.
        decimal cachedPrice = profile.CachedInputPricePerToken ?? profile.InputPricePerToken;
        return (uncached * profile.InputPricePerToken) + (cached * cachedPrice) + (Math.Max(outputTokens, 0) * profile.OutputPricePerToken);
    }

    /// <summary>Estimates the cost of a request before it is sent, from the estimated input and an expected output length.</summary>
    /// <param name="request">The request.</param>
    /// <param name="profile">The target's profile.</param>
    /// <param name="expectedOutputTokens">The expected output length; the request's <c>MaxOutputTokens</c> caps it.</param>
    /// <returns>The estimated cost.</returns>
    /// <remarks>
    /// With conversation affinity, the target the conversation is on holds the previous call's prompt in its prompt cache:
    /// that many input tokens are priced at its cached-input price, so staying is costed as what it really costs.
    /// </remarks>
    public static decimal Estimate(RoutingRequest request, TargetProfile profile, int expectedOutputTokens)
    {
        ArgumentNullException.ThrowIfNull(request);
        int output = request.MaxOutputTokens is { } max ? Math.Min(max, expectedOutputTokens) : expectedOutputTokens;

        // A conversation's own target holds its earlier prompt in the provider's cache: that prefix is priced as cached input.
        long cached = request.Agent is { Pinned: { } pinned, CachedPrefixTokens: > 0 and var prefix } && ReferenceEquals(pinned.Profile, profile)
            ? Math.Min(prefix, request.EstimatedInputTokens)
            : 0;
        return Compute(request.EstimatedInputTokens, output, cached, profile);
    }
}
