using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting.Tests;

public class PipelineCompositionTests
{
    [Fact]
    public async Task DecoratorsOnTheReturnedBuilder_WrapTheRouter()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        var seen = new List<string>();
        services.AddLlmRouter(r => r.AddTarget("economy").Default("economy"))
            .Use(async (messages, options, next, ct) =>
            {
                seen.Add("outer decorator");
                await next(messages, options, ct);
            });
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        ChatResponse response = await chat.GetResponseAsync("hello");

        Assert.Equal(["outer decorator"], seen);
        Assert.IsNotType<LlmRouterChatClient>(chat);
        Assert.Same(provider.GetRequiredService<LlmRouterChatClient>(), chat.GetService<LlmRouterChatClient>());
        Assert.Equal("economy", response.GetRouteInfo()!.Target);
    }

    [Fact]
    public async Task OpenTelemetryChatClientAboveTheRouter_GetsTheRoutersProviderMetadata()
    {
        const string SourceName = "LlmRouting.Tests.Otel";
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy");
        using IChatClient chat = router.AsBuilder().UseOpenTelemetry(sourceName: SourceName).Build();

        await chat.GetResponseAsync("hello");

        Activity activity = Assert.Single(activities);
        Assert.Contains(activity.Tags, t => t.Value == "llmrouting");
    }

    [Fact]
    public void KeyedTargetsAreResolvedFromTheContainer_AndTheContainerOwnsThem()
    {
        var economy = new TestChatClient("economy");
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r => r.AddTarget("economy").Default("economy"));
        ServiceProvider provider = services.BuildServiceProvider();
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();

        Assert.Same(economy, router.GetService<TestChatClient>("economy"));
        router.Dispose();
        Assert.False(economy.Disposed);
        provider.Dispose();
    }
}
