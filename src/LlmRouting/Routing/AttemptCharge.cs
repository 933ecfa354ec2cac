using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Records an attempt that may have ended before its provider reported usage — a hedged attempt that lost, a stream
/// broken or abandoned after output: its reported usage when there is some, otherwise an estimate (the request's
/// estimated input tokens, since the provider has read the prompt, plus the tokens of the text it produced).
/// </summary>
internal static class AttemptCharge
{
    /// <summary>Adds the attempt's usage (reported or estimated) to the route's totals and records the attempt with its cost.</summary>
    /// <param name="route">The route.</param>
    /// <param name="target">The target the attempt ran on.</param>
    /// <param name="attempt">The attempt; its cost is filled in here.</param>
    /// <param name="reported">The usage the provider reported, if any.</param>
    /// <param name="output">The text the attempt produced (streamed, or answered too late), for the estimate.</param>
    public static void Record(RouteInfo route, RouteTarget target, RouteAttempt attempt, UsageDetails? reported, ReadOnlySpan<char> output) =>
        Record(route, target, attempt, reported, TokenEstimator.Estimate(output));

    /// <summary>Adds the attempt's usage (reported or estimated) to the route's totals and records the attempt with its cost.</summary>
    /// <param name="route">The route.</param>
    /// <param name="target">The target the attempt ran on.</param>
    /// <param name="attempt">The attempt; its cost is filled in here.</param>
    /// <param name="reported">The usage the provider reported, if any.</param>
    /// <param name="estimatedOutputTokens">The estimated tokens of the text the attempt produced, for the estimate.</param>
    public static void Record(RouteInfo route, RouteTarget target, RouteAttempt attempt, UsageDetails? reported, int estimatedOutputTokens)
    {
        if (reported is not null)
        {
            route.AddAttempt(attempt with { Cost = route.AddUsage(reported, target) });
            return;
        }

        int input = route.Request.EstimatedInputTokens;
        var estimate = new UsageDetails { InputTokenCount = input, OutputTokenCount = estimatedOutputTokens, TotalTokenCount = input + estimatedOutputTokens };
        route.IsCostEstimated = true;
        route.AddAttempt(attempt with { Cost = route.AddUsage(estimate, target), IsCostEstimated = true });
    }

    /// <summary>Records a stream's attempt that ended without completing: after output, its reported usage or else an estimate of what it streamed; before output, only what it reported.</summary>
    /// <param name="route">The route.</param>
    /// <param name="target">The target the stream ran on.</param>
    /// <param name="attempt">The attempt; its cost is filled in here.</param>
    /// <param name="usage">What the stream delivered.</param>
    public static void RecordStream(RouteInfo route, RouteTarget target, RouteAttempt attempt, StreamUsage usage)
    {
        if (usage.HasOutput)
        {
            Record(route, target, attempt, usage.Total, usage.EstimatedOutputTokens);
        }
        else
        {
            route.AddAttempt(attempt with { Cost = route.AddUsage(usage.Total, target) });
        }
    }
}
