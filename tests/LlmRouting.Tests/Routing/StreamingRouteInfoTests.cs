using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class StreamingRouteInfoTests
{
    [Fact]
    public async Task EveryUpdateCarriesTheRoute_AndCostIsFinalAfterTheLastUpdate()
    {
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy");
        var updates = new List<ChatResponseUpdate>();

        await foreach (ChatResponseUpdate update in router.GetStreamingResponseAsync("hello"))
        {
            updates.Add(update);
        }

        RouteInfo route = updates[0].GetRouteInfo()!;
        Assert.All(updates, u => Assert.Same(route, u.GetRouteInfo()));
        Assert.Equal("economy streams an answer", updates.ToChatResponse().Text);
        Assert.Equal(RouteOutcome.Succeeded, route.Outcome);
        Assert.Equal(((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m, route.Cost);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Succeeded, attempt.Outcome);
        Assert.NotNull(attempt.TimeToFirstToken);
        Assert.NotNull(route.Duration);
    }

    [Fact]
    public async Task StreamingAndNonStreaming_RouteTheSameWay()
    {
        var rules = new RuleStrategy([RoutingRule.FromOptions(new RuleOptions { Target = "premium", Predicate = r => r.ContainsAny("exception") }, "r")]);
        using var router = new LlmRouterChatClient(Targets.Registry(), "economy", [rules]);

        RouteInfo nonStreaming = (await router.GetResponseAsync("an exception")).GetRouteInfo()!;
        RouteInfo? streaming = null;
        await foreach (ChatResponseUpdate update in router.GetStreamingResponseAsync("an exception"))
        {
            streaming = update.GetRouteInfo();
        }

        Assert.Equal(nonStreaming.Target, streaming!.Target);
        Assert.Equal(nonStreaming.Reason, streaming.Reason);
    }

    [Fact]
    public async Task CallerStopsEarly_TheRouteIsAbandoned_AndTheInnerStreamIsDisposed()
    {
        var disposed = false;
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Endless(() => disposed = true, ct) };
        var observer = new RecordingObserver();
        var options = new LlmRouterChatClientOptions();
        options.Observers.Add(observer);
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Economy(economy)]), "economy", options: options);

        int seen = 0;
        await foreach (ChatResponseUpdate _ in router.GetStreamingResponseAsync("hello"))
        {
            if (++seen == 3)
            {
                break;
            }
        }

        Assert.True(disposed);
        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Abandoned, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Abandoned, attempt.Outcome);

        // What was streamed is billed by the provider: charged as an estimate (the prompt, plus 3 x "more " = 15 characters ~ 4 tokens).
        Assert.True(attempt.IsCostEstimated);
        Assert.True(route.IsCostEstimated);
        Assert.Equal(4, route.Usage!.OutputTokenCount);
        Assert.True(route.Usage!.InputTokenCount > 0);
        Assert.Equal(attempt.Cost, route.Cost);
        Assert.True(route.Cost > 0m);
    }

    [Fact]
    public async Task AStreamThatBreaks_SurfacesTheError_AndRecordsAFailedAttempt()
    {
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Breaking(ct) };
        var observer = new RecordingObserver();
        var options = new LlmRouterChatClientOptions();
        options.Observers.Add(observer);
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Economy(economy)]), "economy", options: options);
        var received = new List<string>();

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (ChatResponseUpdate update in router.GetStreamingResponseAsync("hello"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["partial"], received);
        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Failed, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(nameof(IOException), attempt.Error);
        Assert.True(attempt.IsCostEstimated); // "partial" (7 characters ~ 2 tokens) and the prompt, estimated
        Assert.Equal(2, route.Usage!.OutputTokenCount);
        Assert.Equal(attempt.Cost, route.Cost);
        Assert.True(route.Cost > 0m);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Endless(Action onDispose, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Yield();
                ct.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "more ");
            }
        }
        finally
        {
            onDispose();
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Breaking([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
        throw new IOException("connection reset");
    }
}
