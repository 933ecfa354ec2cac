using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Accounting;

namespace LlmRouting.IntegrationTests;

/// <summary>Hedging, escalation and the cost of a broken segment on streamed requests, through the official OpenAI client over HTTP.</summary>
public sealed class StreamingResilienceTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public StreamingResilienceTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Fact]
    public async Task HedgedStream_PrimarySlowToItsFirstChunk_TheBackupWins_AndTheLosersConnectionIsClosed()
    {
        string prefix = FaultToleranceTests.Unique();
        var faults = new FaultInjector { Delay = TimeSpan.FromSeconds(20) };
        faults.Script($"{prefix}-a", FaultKind.SlowFirstChunk).Install(_server);
        using var router = new FaultRouter(_server, prefix, o =>
        {
            o.Hedging.Enabled = true;
            o.Hedging.InitialDelay = TimeSpan.FromMilliseconds(200);
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(15);
        });
        var watch = Stopwatch.StartNew();

        (string text, RouteInfo route) = await FaultToleranceTests.SendAsync(router.Chat, "hello", streaming: true);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(FakeOpenAIServer.AnswerOf(router.Model("b")), text);
        Assert.Equal("b", route.Target);
        Assert.Equal(
            [("a", RouteAttemptOutcome.Superseded, true), ("b", RouteAttemptOutcome.Succeeded, false)],
            route.Attempts.Select(a => (a.Target, a.Outcome, a.IsCostEstimated)));
        decimal inputEstimate = new RoutingRequest("hello").EstimatedInputTokens * 2.50m / 1_000_000m;
        Assert.Equal(inputEstimate, route.Attempts[0].Cost);
        Assert.NotNull(route.Attempts[1].Cost);
        Assert.Equal(route.Attempts[0].Cost + route.Attempts[1].Cost, route.Cost);
        await faults.Disconnected.WaitAsync(TimeSpan.FromSeconds(5)); // the server saw the loser's connection closed
        Assert.Equal(1, _server.Requests.Count(r => r.Model == router.Model("a")));
        Assert.Equal(0, router.InFlight.Current);
    }

    [Fact]
    public async Task StreamedAnswerCutAtTheTokenLimit_IsEscalated_AndTheStrongerTargetsStreamIsWhatTheCallerReceives()
    {
        string prefix = FaultToleranceTests.Unique();
        var faults = new FaultInjector();
        faults.Script($"{prefix}-c", FaultKind.TruncatedAnswer).Install(_server);
        using var router = new FaultRouter(_server, prefix, router: r => r.Default("c").UseEscalation(e => e.EvaluateStreams = true));
        var received = new List<ChatResponseUpdate>();

        await foreach (ChatResponseUpdate update in router.Chat.GetStreamingResponseAsync("hello"))
        {
            received.Add(update);
        }

        Assert.Equal(FakeOpenAIServer.AnswerOf(router.Model("b")), received.ToChatResponse().Text);
        Assert.DoesNotContain(received, u => u.FinishReason == ChatFinishReason.Length);
        RouteInfo route = received[^1].GetRouteInfo()!;
        Assert.True(route.IsEscalated);
        Assert.False(route.IsFallback);
        Assert.Equal("b", route.Target);
        Assert.Equal(
            [("c", RouteAttemptOutcome.Rejected, "truncated: truncated at the output-token limit"), ("b", RouteAttemptOutcome.Succeeded, null)],
            route.Attempts.Select(a => (a.Target, a.Outcome, a.Error)));
        Assert.All(route.Attempts, a => Assert.False(a.IsCostEstimated));
        Assert.NotNull(route.Attempts[0].Cost);
        Assert.NotNull(route.Attempts[1].Cost);
        Assert.Equal(route.Attempts[0].Cost + route.Attempts[1].Cost, route.Cost);
        Assert.Equal(1, _server.Requests.Count(r => r.Model == router.Model("b") && r.Stream));
    }

    [Fact]
    public async Task StreamCutAfterThreeChunks_AndContinued_TheRouteCostIncludesTheBrokenSegmentsEstimate()
    {
        string prefix = FaultToleranceTests.Unique();
        var faults = new FaultInjector { ChunksBeforeBreak = 3 };
        faults.Script($"{prefix}-a", FaultKind.StreamBreak).Install(_server);
        using var router = new FaultRouter(_server, prefix, o => o.Continuation.Enabled = true, r => r.UseLedger());

        (string text, RouteInfo route) = await FaultToleranceTests.SendAsync(router.Chat, "hello", streaming: true);

        string partial = "This is " + router.Model("a");
        Assert.StartsWith(partial, text, StringComparison.Ordinal);
        Assert.True(route.IsSpliced);
        RouteAttempt broken = route.Attempts[0];
        RouteAttempt continued = route.Attempts[1];
        Assert.Equal(("a", RouteAttemptOutcome.Failed, true), (broken.Target, broken.Outcome, broken.IsCostEstimated));
        Assert.Equal(("b", RouteAttemptOutcome.Succeeded, false), (continued.Target, continued.Outcome, continued.IsCostEstimated));
        int input = new RoutingRequest("hello").EstimatedInputTokens;
        Assert.Equal(((input * 2.50m) + (TokenEstimator.Estimate(partial) * 10m)) / 1_000_000m, broken.Cost);
        Assert.NotNull(continued.Cost);
        Assert.Equal(broken.Cost + continued.Cost, route.Cost);
        Assert.True(route.IsCostEstimated);
        IRoutingLedger ledger = router.Services.GetRequiredService<IRoutingLedger>();
        Assert.Equal(route.Cost, ledger.GetSummary().Totals.Cost);
    }
}
