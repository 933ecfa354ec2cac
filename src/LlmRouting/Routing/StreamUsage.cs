using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Accumulates usage and time to first token over a stream of updates.</summary>
internal sealed class StreamUsage
{
    public UsageDetails? Total { get; private set; }

    public TimeSpan? TimeToFirstToken { get; private set; }

    public bool HasOutput { get; private set; }

    /// <summary>The usage one update reports, or <see langword="null"/>.</summary>
    public static UsageDetails? Reported(ChatResponseUpdate update)
    {
        UsageDetails? total = null;
        foreach (AIContent content in update.Contents)
        {
            if (content is UsageContent { Details: { } details })
            {
                (total ??= new UsageDetails()).Add(details);
            }
        }

        return total;
    }

    public void Observe(ChatResponseUpdate update, long startTimestamp)
    {
        if (!HasOutput)
        {
            HasOutput = true;
            TimeToFirstToken = Stopwatch.GetElapsedTime(startTimestamp);
        }

        foreach (AIContent content in update.Contents)
        {
            if (content is UsageContent { Details: { } details })
            {
                if (Total is null)
                {
                    Total = new UsageDetails();
                }

                Total.Add(details);
            }
        }
    }
}
