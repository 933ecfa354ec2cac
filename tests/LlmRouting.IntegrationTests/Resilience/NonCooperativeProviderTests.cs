using System.Diagnostics;
using Microsoft.Extensions.AI;
using LlmRouting.Resilience;

namespace LlmRouting.IntegrationTests;

/// <summary>
/// The official OpenAI client against a stalling server, called with <see cref="CancellationToken.None"/> (a provider that
/// ignores cancellation): the attempt timeout, the total timeout and the caller's cancellation still end the caller's wait.
/// </summary>
public sealed class NonCooperativeProviderTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public NonCooperativeProviderTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CallerCancellation_EndsTheWait_WhileTheServerStalls(bool streaming)
    {
        string prefix = FaultToleranceTests.Unique();
        var faults = new FaultInjector { Delay = TimeSpan.FromSeconds(30), ChunksBeforeBreak = 2 };
        faults.Script($"{prefix}-a", streaming ? FaultKind.StreamStall : FaultKind.Delay).Install(_server);
        var observer = new CollectingObserver();
        using var router = new FaultRouter(_server, prefix, o => o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(20), r => r.AddObserver(observer), provider: c => new TokenIgnoringChatClient(c));
        using var cts = new CancellationTokenSource();
        Task canceller = FaultToleranceTests.CancelOnceReceivedAsync(_server, $"{prefix}-a", cts); // a loaded machine may take longer than a fixed delay to send it
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FaultToleranceTests.SendAsync(router.Chat, "hello", streaming, cts.Token));
        await canceller;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {watch.Elapsed}");
        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Canceled, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Canceled, attempt.Outcome);
        Assert.True(attempt.IsCostEstimated);
        Assert.DoesNotContain(_server.Requests, r => r.Model == $"{prefix}-b");
    }

    [Fact]
    public async Task AttemptTimeout_EndsTheWait_AndFallsOver_WhileTheServerStalls()
    {
        string prefix = FaultToleranceTests.Unique();
        var faults = new FaultInjector { Delay = TimeSpan.FromSeconds(30) };
        faults.Script($"{prefix}-a", FaultKind.Delay).Install(_server);
        using var router = new FaultRouter(
            _server,
            prefix,
            o => { o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(200); o.TotalTimeout = TimeSpan.FromSeconds(10); },
            provider: c => new TokenIgnoringChatClient(c));
        var watch = Stopwatch.StartNew();

        (string text, RouteInfo route) = await FaultToleranceTests.SendAsync(router.Chat, "hello", streaming: false);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the answer took {watch.Elapsed}");
        Assert.Equal(FakeOpenAIServer.AnswerOf($"{prefix}-b"), text);
        Assert.Equal([("a", RouteAttemptOutcome.Failed), ("b", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal("TimeoutRejectedException", route.Attempts[0].Error);
    }

    [Fact]
    public async Task TotalTimeout_EndsAStreamStalledAfterOutput_WithFallbackTimeoutException()
    {
        string prefix = FaultToleranceTests.Unique();
        var faults = new FaultInjector { ChunksBeforeBreak = 3 };
        faults.Script($"{prefix}-a", FaultKind.StreamStall).Install(_server);
        var observer = new CollectingObserver();
        using var router = new FaultRouter(_server, prefix, o => o.TotalTimeout = TimeSpan.FromSeconds(1), r => r.AddObserver(observer), provider: c => new TokenIgnoringChatClient(c));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<FallbackTimeoutException>(() => FaultToleranceTests.SendAsync(router.Chat, "hello", streaming: true));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the total timeout took {watch.Elapsed}");
        RouteAttempt attempt = Assert.Single(Assert.Single(observer.Routes).Attempts);
        Assert.Equal((RouteAttemptOutcome.Failed, nameof(TimeoutException)), (attempt.Outcome, attempt.Error));
        Assert.True(attempt.IsCostEstimated); // the three streamed chunks, estimated
    }
}
