using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LlmRouting.IntegrationTests;

/// <summary>Routes through the official OpenAI .NET client to a real HTTP server on loopback.</summary>
public sealed class OpenAIRoutingTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public OpenAIRoutingTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RoutesToTheRuleTarget_AndTheRoutedModelIdReachesTheServer(bool streaming)
    {
        using ServiceProvider provider = BuildRouter();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string marker = Guid.NewGuid().ToString("N");

        (string text, RouteInfo route) = await SendAsync(chat, $"My service throws an exception with this stack trace ({marker})", options: null, streaming);

        RecordedRequest received = Assert.Single(_server.Requests, r => r.LastUserText.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("gpt-premium-2025", received.Model);
        Assert.Equal(streaming, received.Stream);
        Assert.Equal(FakeOpenAIServer.AnswerOf("gpt-premium-2025"), text);
        Assert.Equal("premium", route.Target);
        Assert.Equal("rules", route.Strategy);
        Assert.Contains("stack-trace", route.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UsageFromTheServer_IsPricedAtTheTargetsPrices(bool streaming)
    {
        using ServiceProvider provider = BuildRouter();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string marker = Guid.NewGuid().ToString("N");
        var options = new ChatOptions { AdditionalProperties = new() { ["tier"] = "free" } };

        (_, RouteInfo route) = await SendAsync(chat, $"What are your opening hours? {marker}", options, streaming);

        RecordedRequest received = Assert.Single(_server.Requests, r => r.LastUserText.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("economy-mini", received.Model);
        Assert.Equal("economy", route.Target);
        Assert.Equal(RouteOutcome.Succeeded, route.Outcome);
        UsageDetails usage = Assert.IsType<UsageDetails>(route.Usage);
        long expectedPrompt = Math.Max(1, received.Body.Length / 4);
        long expectedCompletion = FakeOpenAIServer.AnswerOf("economy-mini").Split(' ').Length;
        Assert.Equal(expectedPrompt, usage.InputTokenCount);
        Assert.Equal(expectedCompletion, usage.OutputTokenCount);
        Assert.Equal(((expectedPrompt * 0.15m) + (expectedCompletion * 0.60m)) / 1_000_000m, route.Cost);
        Assert.Equal(((expectedPrompt * 2.50m) + (expectedCompletion * 10m)) / 1_000_000m, route.BaselineCost);
        Assert.True(route.Savings > 0);
        Assert.Equal("free", options.AdditionalProperties["tier"]);
        Assert.Null(options.ModelId);
    }

    [Fact]
    public async Task Streaming_EveryUpdateCarriesTheSameRoute()
    {
        using ServiceProvider provider = BuildRouter();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        var routes = new List<RouteInfo?>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Translate 'good morning' to French."))
        {
            routes.Add(update.GetRouteInfo());
        }

        Assert.True(routes.Count >= _server.StreamChunks);
        RouteInfo first = Assert.IsType<RouteInfo>(routes[0]);
        Assert.All(routes, r => Assert.Same(first, r));
        Assert.Equal("economy", first.Target);
        Assert.Equal("default", first.Strategy);
        Assert.NotNull(first.Cost);
    }

    [Fact]
    public async Task ARequestWithTools_NeverReachesATargetWithoutTools()
    {
        using ServiceProvider provider = BuildRouter();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string marker = Guid.NewGuid().ToString("N");
        var options = new ChatOptions
        {
            AdditionalProperties = new() { ["tier"] = "free" },
            Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather for a city.")],
        };

        ChatResponse response = await chat.GetResponseAsync($"What's the weather in Paris? {marker}", options);

        RouteInfo route = Assert.IsType<RouteInfo>(response.GetRouteInfo());
        Assert.Equal("premium", route.Target);
        CandidateRejection rejection = Assert.Single(route.Rejections);
        Assert.Equal("economy", rejection.Target);
        Assert.Equal("capabilities", rejection.Filter);
        RecordedRequest received = Assert.Single(_server.Requests, r => r.LastUserText.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("gpt-premium-2025", received.Model);
        Assert.Contains("get_weather", received.Body, StringComparison.Ordinal);
    }

    private ServiceProvider BuildRouter()
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", openAi.GetChatClient("gpt-premium").AsIChatClient());
        services.AddKeyedChatClient("economy", openAi.GetChatClient("economy-mini").AsIChatClient());
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.ModelId("gpt-premium-2025").Prices(input: 2.50m, output: 10m).ContextWindow(128_000).Supports(ModelCapabilities.Tools | ModelCapabilities.Vision).Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m).ContextWindow(16_000).Supports(ModelCapabilities.None).Tier(QualityTier.Economy))
            .UseRules(rules => rules
                .When(req => req.Metadata("tier") == "free", "free-tier").RouteTo("economy")
                .When(req => req.ContainsAny("stack trace", "exception"), "stack-trace").RouteTo("premium"))
            .Default("economy")
            .Baseline("premium"));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task<(string Text, RouteInfo Route)> SendAsync(IChatClient chat, string prompt, ChatOptions? options, bool streaming)
    {
        if (!streaming)
        {
            ChatResponse response = await chat.GetResponseAsync(prompt, options);
            return (response.Text, Assert.IsType<RouteInfo>(response.GetRouteInfo()));
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(prompt, options))
        {
            updates.Add(update);
        }

        return (updates.ToChatResponse().Text, Assert.IsType<RouteInfo>(updates[^1].GetRouteInfo()));
    }
}
