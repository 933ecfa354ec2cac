using System.ClientModel;
using LlmRouting.Accounting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LlmRouting.IntegrationTests;

/// <summary>Two named routers and the unnamed one in one container, over the official OpenAI client on loopback.</summary>
public sealed class NamedRouterIntegrationTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public NamedRouterIntegrationTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EachRouterRoutesToItsOwnTargets_AndBillsItsOwnLedger(bool streaming)
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", openAi.GetChatClient("premium-model").AsIChatClient());
        services.AddKeyedChatClient("economy", openAi.GetChatClient("economy-model").AsIChatClient());
        services.AddLlmRouter(r => r.AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m)).Default("economy"));
        services.AddLlmRouter("support", r => r.AddTarget("premium", t => t.Prices(input: 2.50m, output: 10m)).Default("premium").UseLedger());
        services.AddLlmRouter("batch", r => r.AddTarget("economy", t => t.Prices(input: 0.15m, output: 0.60m)).Default("economy").UseLedger());
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        string marker = Guid.NewGuid().ToString("N");
        RouteInfo support = await SendAsync(provider.GetRequiredKeyedService<IChatClient>("support"), $"support {marker}", streaming);
        RouteInfo batch = await SendAsync(provider.GetRequiredKeyedService<IChatClient>("batch"), $"batch {marker}", streaming);
        RouteInfo unnamed = await SendAsync(provider.GetRequiredService<IChatClient>(), $"unnamed {marker}", streaming);

        Assert.Equal("premium-model", Assert.Single(_server.Requests, r => r.LastUserText == $"support {marker}").Model);
        Assert.Equal("economy-model", Assert.Single(_server.Requests, r => r.LastUserText == $"batch {marker}").Model);
        Assert.Equal(("premium", "economy", "economy"), (support.Target, batch.Target, unnamed.Target));
        RoutingLedgerTotals supportTotals = provider.GetRequiredKeyedService<IRoutingLedger>("support").GetSummary().Totals;
        RoutingLedgerTotals batchTotals = provider.GetRequiredKeyedService<IRoutingLedger>("batch").GetSummary().Totals;
        Assert.Equal((1, support.Cost), (supportTotals.Requests, (decimal?)supportTotals.Cost));
        Assert.Equal((1, batch.Cost), (batchTotals.Requests, (decimal?)batchTotals.Cost));
    }

    private static async Task<RouteInfo> SendAsync(IChatClient chat, string prompt, bool streaming) => streaming
        ? Assert.IsType<RouteInfo>((await chat.GetStreamingResponseAsync(prompt).ToChatResponseAsync()).GetRouteInfo())
        : Assert.IsType<RouteInfo>((await chat.GetResponseAsync(prompt)).GetRouteInfo());
}
