using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Learning;

namespace LlmRouting.Tests;

public class RouterRecordOutcomeTests
{
    [Fact]
    public async Task TheRouterRecordsOutcomes_ByRouteId()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r.AddTarget("economy", new TestChatClient("economy")).Default("economy").UseOutcomeFeedback());
        using ServiceProvider provider = services.BuildServiceProvider();
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello")).GetRouteInfo()!;

        Assert.Equal(RouteFeedbackResult.Recorded, await router.RecordOutcomeAsync(route.RouteId, 1.0));
        Assert.Equal(RouteFeedbackResult.AlreadyRecorded, await router.RecordOutcomeAsync(route.RouteId, 0.0));
        Assert.Equal(RouteFeedbackResult.UnknownRoute, await router.RecordOutcomeAsync(Guid.NewGuid().ToString("N"), 1.0));
    }

    [Fact]
    public async Task WithoutFeedbackEnabled_TheRouterSaysHowToEnableIt()
    {
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => router.RecordOutcomeAsync("x", 1).AsTask());
        Assert.StartsWith("Outcome feedback is not enabled for this router: add .UseOutcomeFeedback()", ex.Message, StringComparison.Ordinal);
    }
}
