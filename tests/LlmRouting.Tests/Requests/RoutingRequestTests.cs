using Microsoft.Extensions.AI;

namespace LlmRouting.Tests;

public class RoutingRequestTests
{
    [Fact]
    public void SingleUserText_IsReturnedWithoutACopy()
    {
        string text = "What are your opening hours?";
        var request = new RoutingRequest([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, text)]);
        Assert.Same(text, request.UserText);
        Assert.Same(text, request.LastUserText);
    }

    [Fact]
    public void UserText_JoinsUserTurnsOnly_LastUserTextIsTheLatestTurn()
    {
        var request = new RoutingRequest(
        [
            new ChatMessage(ChatRole.System, "system prompt"),
            new ChatMessage(ChatRole.User, "first question"),
            new ChatMessage(ChatRole.Assistant, "an answer"),
            new ChatMessage(ChatRole.User, "follow-up"),
        ]);
        Assert.Equal("first question\nfollow-up", request.UserText);
        Assert.Equal("follow-up", request.LastUserText);
        Assert.Equal(4, request.MessageCount);
    }

    [Theory]
    [InlineData("", 4)]
    [InlineData("abcd", 5)]
    [InlineData("abcde", 6)]
    [InlineData("日本語のテキスト", 12)]
    [InlineData("naïve café", 8)]
    public void TokenEstimate_CountsAsciiByFourAndOtherScriptsPerCharacter(string text, int expected)
    {
        Assert.Equal(expected, new RoutingRequest(text).EstimatedInputTokens);
    }

    [Fact]
    public void TokenEstimate_IncludesImagesAndToolDefinitions()
    {
        var message = new ChatMessage(ChatRole.User, [new TextContent("abcd"), new DataContent(new byte[] { 1 }, "image/png")]);
        var withTool = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "abcd", "abcdefgh")] };
        Assert.Equal(4 + 1 + TokenEstimator.PerImage, new RoutingRequest([message]).EstimatedInputTokens);
        Assert.Equal(4 + 1 + 16 + 1 + 2, new RoutingRequest([new ChatMessage(ChatRole.User, "abcd")], withTool).EstimatedInputTokens);
    }

    [Fact]
    public void EmptyConversation_IsRejectedBeforeAnythingIsSent()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RoutingRequest([]));
        Assert.Equal("The conversation is empty: send at least one message. (Parameter 'messages')", ex.Message);
    }

    [Fact]
    public void Metadata_ConvertsNonStringValuesInvariantly()
    {
        var request = new RoutingRequest("hi", Targets.WithMetadata(("tenant", "acme"), ("user", 42), ("score", 1.5)));
        Assert.Equal("acme", request.Tenant);
        Assert.Equal("42", request.User);
        Assert.Equal("1.5", request.Metadata("score"));
        Assert.Null(request.Metadata("missing"));
    }

    [Fact]
    public void RequiredCapabilities_ReflectToolsImagesSchemaAndReasoning()
    {
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(() => 1, "one")],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("{}").RootElement),
            Reasoning = new ReasoningOptions(),
        };
        var message = new ChatMessage(ChatRole.User, [new UriContent(new Uri("https://example.com/a.jpg"), "image/jpeg")]);
        Assert.Equal(
            ModelCapabilities.Tools | ModelCapabilities.Vision | ModelCapabilities.JsonSchema | ModelCapabilities.Reasoning,
            new RoutingRequest([message], options).RequiredCapabilities);
    }
}
