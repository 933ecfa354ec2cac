using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LlmRouting.IntegrationTests;

/// <summary>Targets described only by a catalogue model, through the official OpenAI client to the loopback server.</summary>
public sealed class ModelCatalogIntegrationTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public ModelCatalogIntegrationTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Fact]
    public async Task ACatalogueModel_SendsItsId_PricesAtTheCataloguesPrices_AndServesToolsAndJsonSchema()
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", openAi.GetChatClient("client-default").AsIChatClient());
        services.AddKeyedChatClient("economy", openAi.GetChatClient("client-default").AsIChatClient());
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Model("gpt-4o").Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Model("gpt-4o-mini").Tier(QualityTier.Economy))
            .Default("economy")
            .Baseline("premium"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        string marker = Guid.NewGuid().ToString("N");

        // Tools and a JSON schema: the catalogue says gpt-4o-mini has both, so the request stays on economy.
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather")],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}""").RootElement, "answer"),
        };
        ChatResponse response = await chat.GetResponseAsync($"What is the weather? {marker}", options);

        RecordedRequest received = Assert.Single(_server.Requests, r => r.LastUserText.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("gpt-4o-mini", received.Model);
        RouteInfo route = Assert.IsType<RouteInfo>(response.GetRouteInfo());
        Assert.Equal("economy", route.Target);
        Assert.Empty(route.Rejections);
        UsageDetails usage = Assert.IsType<UsageDetails>(route.Usage);
        decimal expected = (((usage.InputTokenCount ?? 0) - (usage.CachedInputTokenCount ?? 0)) * 0.15m + (usage.CachedInputTokenCount ?? 0) * 0.075m + (usage.OutputTokenCount ?? 0) * 0.60m) / 1_000_000m;
        Assert.Equal(expected, route.Cost);
        Assert.True(route.Cost > 0);
    }
}
