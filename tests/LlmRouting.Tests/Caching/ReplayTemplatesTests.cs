using System.Text.Json;
using Microsoft.Extensions.AI;
using LlmRouting.Caching;

namespace LlmRouting.Tests.Caching;

/// <summary>A replayed cache entry is the same whether it is parsed or copied from a template, and never shared between callers.</summary>
public sealed class ReplayTemplatesTests
{
    public static TheoryData<string> Shapes() => ["plain", "two messages", "tool call", "properties", "usage"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryReplay_SerializesLikeTheStoredEntry(string shape)
    {
        byte[] stored = CachedResponses.Serialize(Response(shape));
        var templates = new ReplayTemplates();

        ChatResponse first = templates.Replay("k", stored);
        ChatResponse second = templates.Replay("k", stored);
        ChatResponse third = templates.Replay("k", stored);

        string expected = Json(CachedResponses.Deserialize(stored));
        Assert.Equal(expected, Json(first));
        Assert.Equal(expected, Json(second));
        Assert.Equal(expected, Json(third));
        Assert.NotSame(second, third);
        Assert.NotSame(second.Messages[0], third.Messages[0]);
        Assert.NotSame(second.Messages[0].Contents[0], third.Messages[0].Contents[0]);
    }

    [Fact]
    public void ATemplate_IsUsedOnlyForTheBytesItWasParsedFrom()
    {
        var templates = new ReplayTemplates();
        templates.Replay("k", CachedResponses.Serialize(Response("plain")));

        ChatResponse other = templates.Replay("k", CachedResponses.Serialize(new ChatResponse(new ChatMessage(ChatRole.Assistant, "another answer"))));

        Assert.Equal("another answer", other.Text);
    }

    [Fact]
    public void MutatingAReplay_DoesNotChangeTheNext()
    {
        var templates = new ReplayTemplates();
        byte[] stored = CachedResponses.Serialize(Response("plain"));
        templates.Replay("k", stored);

        ChatResponse mutated = templates.Replay("k", stored);
        ((TextContent)mutated.Messages[0].Contents[0]).Text = "changed";
        mutated.Messages[0].Contents.Add(new TextContent("more"));
        mutated.Usage = null;

        ChatResponse next = templates.Replay("k", stored);
        Assert.Equal("Opening hours are 9 to 5.", next.Text);
        Assert.Equal(12, next.Usage?.InputTokenCount);
    }

    private static ChatResponse Response(string shape)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Opening hours are 9 to 5.") { AuthorName = "bot", MessageId = "m1" })
        {
            ResponseId = "r1",
            ModelId = "gpt-4o-mini",
            CreatedAt = DateTimeOffset.UnixEpoch,
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 7, TotalTokenCount = 19 },
        };
        switch (shape)
        {
            case "two messages":
                response.Messages.Add(new ChatMessage(ChatRole.Assistant, [new TextContent("a"), new TextContent("b")]));
                break;
            case "tool call":
                response.Messages[0].Contents.Add(new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = "Paris" }));
                break;
            case "properties":
                response.AdditionalProperties = new() { ["system_fingerprint"] = "fp" };
                response.Messages[0].Contents[0].AdditionalProperties = new() { ["x"] = 1 };
                break;
            case "usage":
                response.Usage.AdditionalCounts = new() { ["cached"] = 3 };
                break;
        }

        return response;
    }

    private static string Json(ChatResponse response) => JsonSerializer.Serialize(response, AIJsonUtilities.DefaultOptions);
}
