using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Accounting;

namespace LlmRouting.Tests;

/// <summary>Bad input gets a specific <see cref="ArgumentException"/> before anything is sent; no input crashes the process.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TestChatClient _target = new("target");
    private readonly ServiceProvider _provider;
    private readonly IChatClient _chat;

    public BadInputTests()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r.AddTarget("target", _target, t => t.ContextWindow(8_000)).Default("target").UseExactCache());
        _provider = services.BuildServiceProvider();
        _chat = _provider.GetRequiredService<IChatClient>();
    }

    public void Dispose() => _provider.Dispose();

    public static TheoryData<string, Type, string> Cases() => new()
    {
        { "empty conversation", typeof(ArgumentException), "The conversation is empty: send at least one message. (Parameter 'messages')" },
        { "null message", typeof(ArgumentException), "messages[1] is null. (Parameter 'messages')" },
        { "null content", typeof(ArgumentException), "messages[0].Contents[1] is null. (Parameter 'messages')" },
        { "negative max output tokens", typeof(ArgumentOutOfRangeException), "ChatOptions.MaxOutputTokens must be positive when set (was -3000000). (Parameter 'options')" },
        { "zero max output tokens", typeof(ArgumentOutOfRangeException), "ChatOptions.MaxOutputTokens must be positive when set (was 0). (Parameter 'options')" },
        { "NaN temperature", typeof(ArgumentOutOfRangeException), "ChatOptions.Temperature must be finite and at least 0 when set (was NaN). (Parameter 'options')" },
        { "infinite top-p", typeof(ArgumentOutOfRangeException), "ChatOptions.TopP must be between 0 and 1 when set (was Infinity). (Parameter 'options')" },
        { "NaN penalty", typeof(ArgumentOutOfRangeException), "ChatOptions.PresencePenalty must be finite when set (was NaN). (Parameter 'options')" },
        { "object tenant", typeof(ArgumentException), "The 'tenant' metadata must be a string, an integer or a Guid; got a Opaque, whose text form would not tell two tenants apart (they would share caches, budgets and ledger buckets). Pass its identifier. (Parameter 'options')" },
        { "object user", typeof(ArgumentException), "The 'user' metadata must be a string, an integer or a Guid; got a Opaque, whose text form would not tell two users apart (they would share caches, budgets and ledger buckets). Pass its identifier. (Parameter 'options')" },
        { "reserved tenant", typeof(ArgumentException), "The tenant '(none)' is reserved: the ledger files requests that name no tenant under it. (Parameter 'options')" },
    };

    private static (List<ChatMessage> Messages, ChatOptions? Options) Make(string name) => name switch
    {
        "empty conversation" => ([], null),
        "null message" => ([new ChatMessage(ChatRole.User, "hi"), null!], null),
        "null content" => ([new ChatMessage(ChatRole.User, [new TextContent("hi"), null!])], null),
        "negative max output tokens" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = -3_000_000 }),
        "zero max output tokens" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 0 }),
        "NaN temperature" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Temperature = float.NaN }),
        "infinite top-p" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { TopP = float.PositiveInfinity }),
        "NaN penalty" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { PresencePenalty = float.NaN }),
        "object tenant" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { AdditionalProperties = new() { ["tenant"] = new Opaque() } }),
        "object user" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { AdditionalProperties = new() { ["user"] = new Opaque() } }),
        "reserved tenant" => ([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { AdditionalProperties = new() { ["tenant"] = RoutingLedgerSummary.NoTenant } }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_FailsWithASpecificException_BeforeAnythingIsSent(string name, Type expected, string message)
    {
        (List<ChatMessage> messages, ChatOptions? options) = Make(name);

        Exception response = await Assert.ThrowsAnyAsync<ArgumentException>(() => _chat.GetResponseAsync(messages, options));
        Exception stream = await Assert.ThrowsAnyAsync<ArgumentException>(() => Streams.ReadAllAsync(_chat.GetStreamingResponseAsync(messages, options)));
        Exception decide = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await _provider.GetRequiredService<LlmRouterChatClient>().DecideAsync(messages, options));

        Assert.All(new[] { response, stream, decide }, e => Assert.IsType(expected, e));
        Assert.Equal(message, response.Message);
        Assert.Equal(0, _target.Calls);
    }

    [Fact]
    public async Task ValidEdgeValues_AreAccepted()
    {
        await _chat.GetResponseAsync("hi", new ChatOptions { Temperature = 0, TopP = 1, MaxOutputTokens = 1, AdditionalProperties = new() { ["tenant"] = 42, ["user"] = Guid.Empty } });
        await _chat.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["tenant"] = System.Text.Json.JsonDocument.Parse("\"acme\"").RootElement } });

        Assert.Equal(2, _target.Calls);
    }

    [Fact]
    public async Task AToolResultWhoseToStringRecurses_IsRoutedAndSent_WithoutCrashingTheProcess()
    {
        (List<ChatMessage> messages, ChatOptions options) = PersonalData.Place("nothing personal", "tool-result-recursive-tostring");

        RouteInfo route = (await _chat.GetResponseAsync(messages, options)).GetRouteInfo()!;

        Assert.Equal("target", route.Target);
        Assert.True(new RoutingRequest(messages, options).EstimatedInputTokens > 0);
    }

    private sealed class Opaque;
}
