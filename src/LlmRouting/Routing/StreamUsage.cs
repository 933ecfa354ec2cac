using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Accumulates usage and time to first token over a stream of updates.</summary>
internal sealed class StreamUsage
{
    private int _asciiChars;
    private int _otherChars;

    public UsageDetails? Total { get; private set; }

    public TimeSpan? TimeToFirstToken { get; private set; }

    public bool HasOutput { get; private set; }

    /// <summary>Gets the output tokens estimated from the text streamed so far (for a stream that ends before its provider reports usage).</summary>
    public int EstimatedOutputTokens => TokenEstimator.FromCounts(_asciiChars, _otherChars);

    /// <summary>The usage one update reports, or <see langword="null"/>.</summary>
    public static UsageDetails? Reported(ChatResponseUpdate update)
    {
        UsageDetails? total = null;
        foreach (AIContent content in update.Contents.Indexed())
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

        foreach (AIContent content in update.Contents.Indexed())
        {
            switch (content)
            {
                case TextContent { Text: { } text }:
                    TokenEstimator.Count(text, ref _asciiChars, ref _otherChars);
                    break;
                case TextReasoningContent { Text: { } reasoning }:
                    TokenEstimator.Count(reasoning, ref _asciiChars, ref _otherChars);
                    break;
                case UsageContent { Details: { } details }:
                    (Total ??= new UsageDetails()).Add(details);
                    break;
            }
        }
    }
}
