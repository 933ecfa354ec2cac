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
    public static void Record(RouteInfo route, RouteTarget target, RouteAttempt attempt, UsageDetails? reported, ReadOnlySpan<char> output)
    {
        if (reported is not null)
        {
            route.AddAttempt(attempt with { Cost = route.AddUsage(reported, target) });
            return;
        }

        int input = route.Request.EstimatedInputTokens;
        int produced = TokenEstimator.Estimate(output);
        var estimate = new UsageDetails { InputTokenCount = input, OutputTokenCount = produced, TotalTokenCount = input + produced };
        route.IsCostEstimated = true;
        route.AddAttempt(attempt with { Cost = route.AddUsage(estimate, target), IsCostEstimated = true });
    }
}
