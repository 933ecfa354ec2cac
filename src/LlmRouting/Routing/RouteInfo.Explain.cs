using System.Globalization;
using System.Text;
using LlmRouting.Analysis;
using LlmRouting.Filtering;

namespace LlmRouting;

// The route in words: the reason with the data policy's part, and Explain, the whole decision for a person to read.
public sealed partial class RouteInfo
{
    /// <summary>Explains the whole decision: who served and why, the request's reading, every target a filter rejected and why, the attempts, and the cost.</summary>
    /// <returns>A few lines of content-free text (target, strategy, filter and rule names, counts and prices; never prompt or answer text).</returns>
    /// <remarks>Built on each call from the route as it is then; call it once the request has ended for the final figures.</remarks>
    public string Explain()
    {
        var text = new StringBuilder(256);
        CultureInfo c = CultureInfo.InvariantCulture;
        text.Append(c, $"Routed to '{Target}'");
        if (ModelId is { } model)
        {
            text.Append(c, $" (model {model}, tier {Tier})");
        }
        else
        {
            text.Append(c, $" (tier {Tier})");
        }

        text.Append(c, $" by {Strategy}: {Reason}.").AppendLine();
        if (IsCacheHit && Attempts.Count == 0)
        {
            // Read back from a cache above the router: nothing else of the original route was kept.
            return text.Append("Answered from a cache; no target was called, nothing was billed.").ToString();
        }

        RequestAnalysis reading = Analysis;
        text.Append(c, $"Request: task {reading.Task}, complexity {reading.Complexity:0.00}, risk {reading.Risk}, ")
            .Append(reading.HasPii ? $"personal data ({reading.Pii})" : "no personal data")
            .Append(c, $", ~{Request.EstimatedInputTokens} input tokens.").AppendLine();
        text.Append("Candidates: ").AppendJoin(", ", Candidates).Append('.').AppendLine();
        if (Rejections.Count == 0)
        {
            text.Append("Rejected: none.").AppendLine();
        }
        else
        {
            text.Append("Rejected:").AppendLine();
            foreach (CandidateRejection rejection in Rejections)
            {
                text.Append(c, $"  - {rejection.Target} by {rejection.Filter}: {rejection.Reason}").AppendLine();
            }
        }

        if (Decision.Targets.Count > 1)
        {
            text.Append("Order: ").AppendJoin(" > ", Decision.Targets.Select(t => t.Name)).Append('.').AppendLine();
        }

        IReadOnlyList<RouteAttempt> attempts = Attempts;
        text.Append(c, $"Attempts ({attempts.Count}){(attempts.Count == 0 ? "." : ":")}").AppendLine();
        for (int i = 0; i < attempts.Count; i++)
        {
            RouteAttempt attempt = attempts[i];
            text.Append(c, $"  {i + 1}. {attempt.Target}: {attempt.Outcome} in {attempt.Duration.TotalMilliseconds:0} ms");
            if (attempt.Error is { } error)
            {
                text.Append(c, $" ({error})");
            }

            if (attempt.Cost is { } cost)
            {
                text.Append(c, $", cost {cost:0.######}").Append(attempt.IsCostEstimated ? " (estimated)" : string.Empty);
            }

            text.AppendLine();
        }

        text.Append(c, $"Outcome: {Outcome}");
        if (Duration is { } duration)
        {
            text.Append(c, $" in {duration.TotalMilliseconds:0} ms");
        }

        text.Append(c, $" (decision {DecisionDuration.TotalMilliseconds:0.###} ms)");
        if (IsFallback)
        {
            text.Append(c, $"; served by fallback after {Decision.Primary.Name}");
        }

        if (IsEscalated)
        {
            text.Append("; escalated");
        }

        if (IsSpliced)
        {
            text.Append("; stream continued on another target");
        }

        if (IsCacheHit)
        {
            text.Append("; answered from a cache");
        }

        text.Append(c, $"; cost {(Cost is { } total ? total.ToString("0.######", c) : "n/a")}");
        if (BaselineTarget is { } baseline && BaselineCost is { } baselineCost)
        {
            text.Append(c, $", {baseline} would have cost {baselineCost:0.######} (saved {Savings:0.######})");
        }

        return text.Append('.').ToString();
    }

    /// <summary>The decision's reason, and when the data policy kept the request from targets, which and why.</summary>
    private string ReasonWithPolicy()
    {
        List<string>? moved = null;
        string? why = null;
        foreach (CandidateRejection rejection in CandidateSet.Rejections)
        {
            if (rejection.Filter == DataPolicyFilter.FilterName)
            {
                (moved ??= []).Add(rejection.Target);
                why ??= rejection.Reason;
            }
        }

        return moved is null ? Decision.Reason : $"{Decision.Reason}; moved by the data policy off {string.Join(", ", moved)} ({why})";
    }
}
