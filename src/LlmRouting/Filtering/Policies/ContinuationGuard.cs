using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting.Filtering;

/// <summary>
/// Holds a stream continuation to the data policy: the continuation sends the partial answer along with the request,
/// so the target it continues on must be allowed to receive that answer too (an on-premises target's partial answer
/// with personal data never moves to a cloud target).
/// </summary>
internal static class ContinuationGuard
{
    /// <summary>The reason a continuation is refused when no remaining target may receive the partial answer.</summary>
    public const string Refusal = "the partial answer is sensitive and no remaining target is allowed to receive it";

    /// <summary>The targets of <paramref name="remaining"/> that every data policy of the request allows for the request with its partial answer.</summary>
    /// <param name="route">The route (its request and the filters its candidates passed).</param>
    /// <param name="streamed">Everything streamed so far.</param>
    /// <param name="remaining">The targets left to continue on.</param>
    /// <returns><paramref name="remaining"/> itself when no policy applies or nothing is rejected; else the allowed targets.</returns>
    public static IReadOnlyList<RouteTarget> Permitted(RouteInfo route, ReadOnlySpan<ChatResponseUpdate> streamed, IReadOnlyList<RouteTarget> remaining)
    {
        List<DataPolicyFilter>? policies = null;
        foreach (IRouteCandidateFilter filter in route.CandidateSet.Filters)
        {
            if (filter is DataPolicyFilter policy)
            {
                (policies ??= []).Add(policy);
            }
        }

        if (policies is null || remaining.Count == 0)
        {
            return remaining;
        }

        var partial = new StringBuilder();
        foreach (ChatResponseUpdate update in streamed)
        {
            foreach (AIContent content in update.Contents.Indexed())
            {
                if (content is TextContent { Text: { } text })
                {
                    partial.Append(text);
                }
            }
        }

        RoutingRequest continued = partial.Length == 0
            ? route.Request
            : route.Request.WithMessages([.. route.Request.Messages, new ChatMessage(ChatRole.Assistant, partial.ToString())]);
        List<RouteTarget>? allowed = null;
        for (int i = 0; i < remaining.Count; i++)
        {
            bool ok = true;
            foreach (DataPolicyFilter policy in policies)
            {
                ok &= policy.IsAllowed(continued, remaining[i], out _);
            }

            if (ok)
            {
                allowed?.Add(remaining[i]);
            }
            else if (allowed is null)
            {
                allowed = new List<RouteTarget>(remaining.Count);
                for (int j = 0; j < i; j++)
                {
                    allowed.Add(remaining[j]);
                }
            }
        }

        return allowed ?? remaining;
    }
}
