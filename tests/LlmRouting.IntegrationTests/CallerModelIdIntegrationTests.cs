using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LlmRouting.IntegrationTests;

/// <summary>The caller-chosen model contract through the official OpenAI client: pins, and ids a target was not priced for.</summary>
public sealed class CallerModelIdIntegrationTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public CallerModelIdIntegrationTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnAppThatSetsItsOwnModelId_SendsEachTargetItsOwnModel_AndAPinPinsTheRequest(bool streaming)
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", openAi.GetChatClient("premium-model").AsIChatClient());
        services.AddKeyedChatClient("economy", openAi.GetChatClient("economy-model").AsIChatClient());
        services.AddLlmRouter(r => r   // the README's shape: no target model ids
            .AddTarget("premium", t => t.Prices(input: 2.50m, output: 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m).Tier(QualityTier.Economy))
            .Default("economy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        string unknown = Guid.NewGuid().ToString("N");
        RouteInfo routed = await SendAsync(chat, $"hello {unknown}", new ChatOptions { ModelId = "gpt-4o" }, streaming);
        Assert.Equal("economy-model", Assert.Single(_server.Requests, r => r.LastUserText.Contains(unknown, StringComparison.Ordinal)).Model);
        Assert.Equal("economy", routed.Target);

        string pin = Guid.NewGuid().ToString("N");
        RouteInfo pinned = await SendAsync(chat, $"hello {pin}", new ChatOptions { ModelId = "premium" }, streaming);
        Assert.Equal("premium-model", Assert.Single(_server.Requests, r => r.LastUserText.Contains(pin, StringComparison.Ordinal)).Model);
        Assert.Equal(("premium", "pinned"), (pinned.Target, pinned.Strategy));
        UsageDetails usage = Assert.IsType<UsageDetails>(pinned.Usage);
        Assert.Equal((((usage.InputTokenCount ?? 0) * 2.50m) + ((usage.OutputTokenCount ?? 0) * 10m)) / 1_000_000m, pinned.Cost);
    }

    private static async Task<RouteInfo> SendAsync(IChatClient chat, string prompt, ChatOptions options, bool streaming)
    {
        if (!streaming)
        {
            return Assert.IsType<RouteInfo>((await chat.GetResponseAsync(prompt, options)).GetRouteInfo());
        }

        RouteInfo? route = null;
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(prompt, options))
        {
            route = update.GetRouteInfo() ?? route;
        }

        return Assert.IsType<RouteInfo>(route);
    }
}
