using System.ClientModel;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;
using LlmRouting.Resilience;

namespace LlmRouting.IntegrationTests;

/// <summary>Every fault class of a real HTTP provider, driven through the official OpenAI client, falls over or fails as documented.</summary>
public sealed class FaultToleranceTests : IClassFixture<FakeOpenAIServerFixture>
{
    private readonly FakeOpenAIServer _server;

    public FaultToleranceTests(FakeOpenAIServerFixture fixture)
    {
        _server = fixture.Server;
    }

    public static TheoryData<FaultKind, bool> FallOverFaults => new()
    {
        { FaultKind.RateLimited, false }, { FaultKind.RateLimited, true },
        { FaultKind.InternalServerError, false }, { FaultKind.InternalServerError, true },
        { FaultKind.ServiceUnavailable, false }, { FaultKind.ServiceUnavailable, true },
        { FaultKind.Delay, false }, { FaultKind.Delay, true },
        { FaultKind.ConnectionAbort, false }, { FaultKind.ConnectionAbort, true },
        { FaultKind.MalformedJson, false }, { FaultKind.MalformedJson, true },
    };

    [Theory]
    [MemberData(nameof(FallOverFaults))]
    public async Task TransientFault_OnThePrimary_IsServedByTheNextTarget(FaultKind fault, bool streaming)
    {
        string prefix = Unique();
        var faults = new FaultInjector { RetryAfter = "30", Delay = TimeSpan.FromSeconds(10) };
        faults.Script($"{prefix}-a", fault).Install(_server);
        using var router = new FaultRouter(_server, prefix, o => o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(1.5));

        (string text, RouteInfo route) = await SendAsync(router.Chat, "hello", streaming);

        Assert.Equal(FakeOpenAIServer.AnswerOf($"{prefix}-b"), text);
        Assert.Equal("b", route.Target);
        Assert.True(route.IsFallback);
        Assert.Equal([("a", RouteAttemptOutcome.Failed), ("b", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal(1, faults.Count(fault));
        Assert.Equal(0, router.InFlight.Current);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RateLimit_WithAShortRetryAfter_IsRetriedOnTheSameTarget(bool streaming)
    {
        string prefix = Unique();
        var faults = new FaultInjector { RetryAfter = "0.05" };
        faults.Script($"{prefix}-a", FaultKind.RateLimited, FaultKind.ServiceUnavailable).Install(_server);
        using var router = new FaultRouter(_server, prefix, o => { o.Resilience.EnableRetry = true; o.Resilience.Retry.MaxRetryAttempts = 2; });

        (string text, RouteInfo route) = await SendAsync(router.Chat, "hello", streaming);

        Assert.Equal(FakeOpenAIServer.AnswerOf($"{prefix}-a"), text);
        Assert.Equal("a", route.Target);
        Assert.False(route.IsFallback);
        Assert.Equal(3, _server.Requests.Count(r => r.Model == $"{prefix}-a"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RateLimit_WithARetryAfterBeyondTheLimit_FallsOverWithoutWaiting(bool streaming)
    {
        string prefix = Unique();
        var faults = new FaultInjector { RetryAfter = "120" };
        faults.Script($"{prefix}-a", FaultKind.RateLimited).Install(_server);
        using var router = new FaultRouter(_server, prefix, o => { o.Resilience.EnableRetry = true; o.Resilience.Retry.MaxRetryAttempts = 2; });
        var watch = Stopwatch.StartNew();

        (_, RouteInfo route) = await SendAsync(router.Chat, "hello", streaming);

        Assert.Equal("b", route.Target);
        Assert.Equal(1, _server.Requests.Count(r => r.Model == $"{prefix}-a"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BadRequest_DoesNotFallOver_AndSurfacesTheProviderError(bool streaming)
    {
        string prefix = Unique();
        var faults = new FaultInjector();
        faults.Script($"{prefix}-a", FaultKind.BadRequest).Install(_server);
        using var router = new FaultRouter(_server, prefix);

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() => SendAsync(router.Chat, "hello", streaming));

        Assert.Equal(400, error.Status);
        Assert.DoesNotContain(_server.Requests, r => r.Model == $"{prefix}-b");
        Assert.Equal(0, router.InFlight.Current);
    }

    [Fact]
    public async Task EveryTargetFailing_SurfacesTheLastFailure_WithEveryAttemptRecorded()
    {
        string prefix = Unique();
        var faults = new FaultInjector();
        foreach (string name in FaultRouter.Names)
        {
            faults.Script($"{prefix}-{name}", FaultKind.ServiceUnavailable);
        }

        faults.Install(_server);
        var observer = new CollectingObserver();
        using var router = new FaultRouter(_server, prefix, router: r => r.AddObserver(observer));

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(() => router.Chat.GetResponseAsync("hello"));

        Assert.Equal(503, error.Status);
        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Failed, route.Outcome);
        Assert.Equal(["a", "b", "c"], route.Attempts.Select(a => a.Target));
        Assert.All(route.Attempts, a => Assert.Equal(RouteAttemptOutcome.Failed, a.Outcome));
    }

    [Fact]
    public async Task StreamBreakingAfterOutput_SurfacesAsStreamInterrupted_WithoutFailover_WhenContinuationIsOff()
    {
        string prefix = Unique();
        var faults = new FaultInjector { ChunksBeforeBreak = 2 };
        faults.Script($"{prefix}-a", FaultKind.StreamBreak).Install(_server);
        using var router = new FaultRouter(_server, prefix);
        var received = new List<ChatResponseUpdate>();

        Exception? caught = await Record.ExceptionAsync(async () =>
        {
            await foreach (ChatResponseUpdate update in router.Chat.GetStreamingResponseAsync("hello"))
            {
                received.Add(update);
            }
        });

        StreamInterruptedException interrupted = Assert.IsType<StreamInterruptedException>(caught);
        Assert.Equal(received, interrupted.Updates);
        Assert.Equal("a", interrupted.Route!.Target);
        Assert.StartsWith("This is", received.ToChatResponse().Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Requests, r => r.Model == $"{prefix}-b");
        Assert.Equal(0, router.InFlight.Current);
    }

    [Theory]
    [InlineData(FaultKind.StreamBreak)]
    [InlineData(FaultKind.StreamStall)]
    public async Task StreamBreakingOrStallingAfterOutput_IsContinuedOnTheNextTarget_WhenContinuationIsOn(FaultKind fault)
    {
        string prefix = Unique();
        var faults = new FaultInjector { ChunksBeforeBreak = 3 };
        faults.Script($"{prefix}-a", fault).Install(_server);
        using var router = new FaultRouter(_server, prefix, o =>
        {
            o.Continuation.Enabled = true;
            o.Continuation.IdleTimeout = TimeSpan.FromMilliseconds(500);
        });

        (string text, RouteInfo route) = await SendAsync(router.Chat, "hello", streaming: true);

        Assert.StartsWith("This is " + router.Model("a"), text, StringComparison.Ordinal);
        Assert.EndsWith(FakeOpenAIServer.AnswerOf(router.Model("b")), text, StringComparison.Ordinal);
        Assert.True(route.IsSpliced);
        Assert.Equal("b", route.Target);
        Assert.Equal([("a", RouteAttemptOutcome.Failed), ("b", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        RecordedRequest continuation = Assert.Single(_server.Requests, r => r.Model == router.Model("b"));
        Assert.Equal(3, continuation.MessageCount); // the prompt, the partial answer, the continue instruction
        Assert.Contains("This is " + router.Model("a"), continuation.Body, StringComparison.Ordinal);
        Assert.Equal(0, router.InFlight.Current);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CallerCancellation_StopsPromptly_AndIsNotATargetFailure(bool streaming)
    {
        string prefix = Unique();
        var faults = new FaultInjector { Delay = TimeSpan.FromSeconds(30) };
        faults.Script($"{prefix}-a", FaultKind.Delay).Install(_server);
        var observer = new CollectingObserver();
        using var router = new FaultRouter(
            _server,
            prefix,
            o =>
            {
                o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(20);
                o.Resilience.CircuitBreaker.MinimumThroughput = 2;
                o.Resilience.EnableRetry = true; o.Resilience.Retry.MaxRetryAttempts = 2;
            },
            r => r.AddObserver(observer));
        using var cts = new CancellationTokenSource();
        Task canceller = CancelOnceReceivedAsync(_server, $"{prefix}-a", cts); // a loaded machine may take longer than a fixed delay to send it
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SendAsync(router.Chat, "hello", streaming, cts.Token));
        await canceller;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {watch.Elapsed}");
        RouteInfo route = Assert.Single(observer.Routes);
        Assert.Equal(RouteOutcome.Canceled, route.Outcome);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal(RouteAttemptOutcome.Canceled, attempt.Outcome);
        Assert.Equal(1, _server.Requests.Count(r => r.Model == $"{prefix}-a"));
        Assert.DoesNotContain(_server.Requests, r => r.Model == $"{prefix}-b");
        Assert.Equal(CircuitState.Closed, router.Health.GetHealth("a").State);
        Assert.Equal(0, router.InFlight.Current);
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheCircuit_AndTheTargetLeavesTheCandidates()
    {
        string prefix = Unique();
        var faults = new FaultInjector();
        faults.SetRandom($"{prefix}-a", 1.0, FaultKind.InternalServerError).Install(_server);
        using var router = new FaultRouter(_server, prefix, o =>
        {
            o.Resilience.CircuitBreaker.MinimumThroughput = 3;
            o.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(5);
        });

        for (int i = 0; i < 3; i++)
        {
            ChatResponse served = await router.Chat.GetResponseAsync("hello");
            Assert.Equal("b", served.GetRouteInfo()!.Target);
        }

        TargetHealth health = router.Health.GetHealth("a");
        Assert.Equal(CircuitState.Open, health.State);
        Assert.NotNull(health.OpenUntil);
        int callsToA = _server.Requests.Count(r => r.Model == $"{prefix}-a");

        ChatResponse response = await router.Chat.GetResponseAsync("hello");

        RouteInfo route = response.GetRouteInfo()!;
        Assert.DoesNotContain("a", route.Candidates);
        Assert.Contains(route.Rejections, r => r.Target == "a" && r.Filter == "health");
        Assert.Equal(callsToA, _server.Requests.Count(r => r.Model == $"{prefix}-a"));
    }

    /// <summary>Cancels <paramref name="cts"/> 300 ms after the server has received a request for <paramref name="model"/>.</summary>
    internal static async Task CancelOnceReceivedAsync(FakeOpenAIServer server, string model, CancellationTokenSource cts)
    {
        while (!server.Requests.Any(r => r.Model == model))
        {
            await Task.Delay(10);
        }

        await Task.Delay(300);
        await cts.CancelAsync();
    }

    internal static string Unique() => "m" + Guid.NewGuid().ToString("N")[..12];

    internal static async Task<(string Text, RouteInfo Route)> SendAsync(IChatClient chat, string prompt, bool streaming, CancellationToken cancellationToken = default)
    {
        if (!streaming)
        {
            ChatResponse response = await chat.GetResponseAsync(prompt, cancellationToken: cancellationToken);
            return (response.Text, Assert.IsType<RouteInfo>(response.GetRouteInfo()));
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(prompt, cancellationToken: cancellationToken))
        {
            updates.Add(update);
        }

        return (updates.ToChatResponse().Text, Assert.IsType<RouteInfo>(updates[^1].GetRouteInfo()));
    }
}
