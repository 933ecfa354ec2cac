using System.Text;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;

namespace LlmRouting;

// The lazily computed features of RoutingRequest: joined user text, token estimate, images, needed capabilities and tags.
public sealed partial class RoutingRequest
{
    private HistoryView? _history;
    private bool _historyTaken;

    /// <summary>Gets the conversation's kept readings (<see cref="HistoryMemo"/>), or null for a short conversation read directly.</summary>
    internal HistoryView? History
    {
        get
        {
            if (!_historyTaken)
            {
                _history = HistoryView.Of(Messages);
                _historyTaken = true;
            }

            return _history;
        }
    }

    private static string JoinText(IReadOnlyList<ChatMessage> messages, bool lastOnly)
    {
        string? single = null;
        StringBuilder? builder = null;
        for (int i = lastOnly ? messages.Count - 1 : 0; i >= 0 && i < messages.Count; i += lastOnly ? -1 : 1)
        {
            ChatMessage message = messages[i];
            if (message.Role != ChatRole.User)
            {
                continue;
            }

            foreach (AIContent content in message.Contents.Indexed())
            {
                if (content is not TextContent { Text: { Length: > 0 } text })
                {
                    continue;
                }

                if (single is null && builder is null)
                {
                    single = text;
                }
                else
                {
                    builder ??= new StringBuilder(single);
                    builder.Append('\n').Append(text);
                }
            }

            if (lastOnly)
            {
                break;
            }
        }

        return builder?.ToString() ?? single ?? string.Empty;
    }

    private int EstimateTokens()
    {
        int tokens = TokenEstimator.Estimate(Options?.Instructions);
        if (History is { } history)
        {
            tokens += history.Sum(SumSlot.Tokens, static message => EstimateMessage(message));
        }
        else
        {
            for (int m = 0; m < Messages.Count; m++)
            {
                ChatMessage message = Messages[m];
                tokens += EstimateMessage(message);
            }
        }

        // Tool definitions are sent with every request and count against the context window.
        if (Options?.Tools is { Count: > 0 } tools)
        {
            foreach (AITool tool in tools)
            {
                tokens += 16 + TokenEstimator.Estimate(tool.Name) + TokenEstimator.Estimate(tool.Description);
            }
        }

        return tokens;
    }

    /// <summary>Estimates one message's tokens: framing plus each part.</summary>
    private static int EstimateMessage(ChatMessage message)
    {
        int tokens = TokenEstimator.PerMessageOverhead;
        ContentText.Walk? walk = null;
        foreach (AIContent content in message.Contents.Indexed())
        {
            tokens += content switch
            {
                TextContent t => TokenEstimator.Estimate(t.Text),
                TextReasoningContent r => TokenEstimator.Estimate(r.Text),
                DataContent d when d.HasTopLevelMediaType("image") => TokenEstimator.PerImage,
                UriContent u when u.HasTopLevelMediaType("image") => TokenEstimator.PerImage,
                FunctionCallContent or FunctionResultContent => EstimateContent(content, walk ??= new ContentText.Walk()),
                DataContent d when ContentText.IsText(d) => EstimateContent(content, walk ??= new ContentText.Walk()),
                _ => 0,
            };
        }

        return tokens;
    }

    /// <summary>Estimates a part's tokens from its text, walked (never <c>ToString()</c>-ed: a tool result's own ToString may recurse).</summary>
    private static int EstimateContent(AIContent content, ContentText.Walk walk)
    {
        var counter = new TokenCounter();
        ContentText.Content(content, counter, walk);
        return TokenEstimator.FromCounts(counter.Ascii, counter.Other) + (content is FunctionCallContent call ? (call.Arguments?.Count ?? 0) * 4 : 0);
    }

    private sealed class TokenCounter : ContentText.ISink
    {
        public int Ascii;
        public int Other;

        public void Text(ReadOnlySpan<char> text) => TokenEstimator.Count(text, ref Ascii, ref Other);
    }

    private int CountImages()
    {
        if (History is { } history)
        {
            return history.Sum(SumSlot.Images, static message => CountImages(message));
        }

        int images = 0;
        for (int m = 0; m < Messages.Count; m++)
        {
            ChatMessage message = Messages[m];
            images += CountImages(message);
        }

        return images;
    }

    private static int CountImages(ChatMessage message)
    {
        int images = 0;
        foreach (AIContent content in message.Contents.Indexed())
        {
            if (content is DataContent d && d.HasTopLevelMediaType("image") ||
                content is UriContent u && u.HasTopLevelMediaType("image"))
            {
                images++;
            }
        }

        return images;
    }

    private ModelCapabilities ComputeCapabilities()
    {
        ModelCapabilities needs = ModelCapabilities.None;
        if (HasTools)
        {
            needs |= ModelCapabilities.Tools;
        }

        if (ImageCount > 0)
        {
            needs |= ModelCapabilities.Vision;
        }

        if (Options?.ResponseFormat is ChatResponseFormatJson { Schema: not null })
        {
            needs |= ModelCapabilities.JsonSchema;
        }

        if (Options?.Reasoning is not null)
        {
            needs |= ModelCapabilities.Reasoning;
        }

        return needs;
    }

    private string[] ReadTags()
    {
        if (Options?.AdditionalProperties is not { } props || !props.TryGetValue(RequestMetadataKeys.Tags, out object? value) || value is null)
        {
            return NoTags;
        }

        return value switch
        {
            string s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            IEnumerable<string> many => [.. many],
            _ => [Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty],
        };
    }
}
