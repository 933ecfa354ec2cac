using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Execution;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

/// <summary>
/// The fallback executor calls the primary itself and creates MEAI's failover client only when the primary fails.
/// These tests hold that fast path to the behaviour of the failover client's own loop run from the first target
/// (the path every request took before): same attempts, same exception, same budget, same cancellation rules.
/// </summary>
public class FallbackFastPathTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "hello")];

    private static HttpRequestException Status(HttpStatusCode code) => new($"status {(int)code}", null, code);

    /// <summary>What the targets do in one scenario; the exceptions are created once, so both runs can be compared by identity.</summary>
    private sealed record Scenario(
        Func<Run, CancellationToken, Task<ChatResponse>> Premium,
        Func<Run, CancellationToken, Task<ChatResponse>>? Economy = null,
        Action<FallbackOptions>? Configure = null,
        bool PremiumOnly = false);

    /// <summary>One run's controls: the caller's token source and a way to run the total budget out.</summary>
    private sealed class Run(CancellationTokenSource caller, Action expireBudget)
    {
        public CancellationTokenSource Caller { get; } = caller;

        public void ExpireBudget() => expireBudget();
    }

    public static TheoryData<string> FailureClasses =>
    [
        "503, the next target answers",
        "503 thrown synchronously",
        "timeout exception falls over",
        "400 stops the chain",
        "401 stops the chain",
        "503, then 400 on the next target",
        "every target fails",
        "MaxTargets = 1",
        "the only candidate fails",
        "the caller cancels",
        "a cancellation nobody asked for",
        "the budget runs out on the primary",
        "the budget runs out on the next target",
        "the primary succeeds",
    ];

    private static Scenario Create(string name)
    {
        HttpRequestException unavailable = Status(HttpStatusCode.ServiceUnavailable);
        HttpRequestException badRequest = Status(HttpStatusCode.BadRequest);
        HttpRequestException unauthorized = Status(HttpStatusCode.Unauthorized);
        var timeout = new TimeoutException("slow");
        var unasked = new TaskCanceledException("an HTTP client timeout");
        return name switch
        {
            "503, the next target answers" => new((_, _) => Task.FromException<ChatResponse>(unavailable)),
            "503 thrown synchronously" => new((_, _) => throw unavailable),
            "timeout exception falls over" => new((_, _) => Task.FromException<ChatResponse>(timeout)),
            "400 stops the chain" => new((_, _) => Task.FromException<ChatResponse>(badRequest)),
            "401 stops the chain" => new((_, _) => Task.FromException<ChatResponse>(unauthorized)),
            "503, then 400 on the next target" => new((_, _) => Task.FromException<ChatResponse>(unavailable), (_, _) => Task.FromException<ChatResponse>(badRequest)),
            "every target fails" => new((_, _) => Task.FromException<ChatResponse>(unavailable), (_, _) => Task.FromException<ChatResponse>(timeout)),
            "MaxTargets = 1" => new((_, _) => Task.FromException<ChatResponse>(unavailable), Configure: o => o.MaxTargets = 1),
            "the only candidate fails" => new((_, _) => Task.FromException<ChatResponse>(unavailable), PremiumOnly: true),
            "the caller cancels" => new(async (run, ct) =>
            {
                await run.Caller.CancelAsync();
                ct.ThrowIfCancellationRequested();
                throw new InvalidOperationException("unreachable");
            }),
            "a cancellation nobody asked for" => new((_, _) => Task.FromException<ChatResponse>(unasked)),
            "the budget runs out on the primary" => new((run, ct) =>
            {
                run.ExpireBudget();
                ct.ThrowIfCancellationRequested();
                throw new InvalidOperationException("unreachable");
            }),
            "the budget runs out on the next target" => new((_, _) => Task.FromException<ChatResponse>(unavailable), (run, ct) =>
            {
                run.ExpireBudget();
                ct.ThrowIfCancellationRequested();
                throw new InvalidOperationException("unreachable");
            }),
            "the primary succeeds" => new((_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "premium answers")))),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    [Theory]
    [MemberData(nameof(FailureClasses))]
    public Task TheFastPath_RecordsTheSameAttemptsAndSurfacesTheSameException_AsTheFailoverLoop(string name) =>
        AssertSameAsTheFailoverLoopAsync(Create(name), streaming: false);

    /// <summary>
    /// The same failure classes, streamed: each target's answer (or failure) comes before its first update, the case in which
    /// a stream falls over. The executor streams the primary itself and hands over to the failover client only when it fails.
    /// </summary>
    [Theory]
    [MemberData(nameof(FailureClasses))]
    public Task TheStreamingFastPath_RecordsTheSameAttemptsAndSurfacesTheSameException_AsTheFailoverLoop(string name) =>
        AssertSameAsTheFailoverLoopAsync(Create(name), streaming: true);

    private static async Task AssertSameAsTheFailoverLoopAsync(Scenario scenario, bool streaming)
    {
        Outcome reference = await RunAsync(scenario, fastPath: false, streaming);
        Outcome fast = await RunAsync(scenario, fastPath: true, streaming);

        // A caller's cancellation races the target's own: whichever observes it first decides between TaskCanceledException
        // (the target's) and OperationCanceledException (the race's) — both are the documented cancellation, so they compare equal.
        Assert.Equal(reference.Attempts.Select(Cancellation), fast.Attempts.Select(Cancellation));
        Assert.Equal(reference.Target, fast.Target);
        Assert.Equal(reference.Calls, fast.Calls);
        Assert.Equal(CancellationType(reference.Error), CancellationType(fast.Error));
        if (reference.Error is FallbackTimeoutException expected)
        {
            Assert.Equal(expected.Message, fast.Error!.Message);
            Assert.Equal(expected.InnerException?.GetType(), fast.Error.InnerException?.GetType());
        }
        else if (reference.Error is not null and not OperationCanceledException)
        {
            Assert.Same(reference.Error, fast.Error); // the original exception, unchanged
        }

        // The executor adds the serving attempt (with its cost) itself: exactly one when the request succeeded.
        Assert.Equal(fast.Error is null ? 1 : 0, fast.Succeeded);
    }

    [Fact]
    public async Task CallerCancellation_OnTheFastPath_IsCanceledNeverAFailure_AndNothingElseIsCalled()
    {
        Outcome outcome = await RunAsync(Create("the caller cancels"), fastPath: true);

        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error);
        Assert.Equal([("premium", RouteAttemptOutcome.Canceled, nameof(OperationCanceledException))], outcome.Attempts);
        Assert.Equal((1, 0), outcome.Calls);
    }

    [Fact]
    public async Task TheBudget_RunsOutOnTheFakeClock_AfterAFallOver()
    {
        Outcome outcome = await RunAsync(Create("the budget runs out on the next target"), fastPath: true);

        FallbackTimeoutException ex = Assert.IsType<FallbackTimeoutException>(outcome.Error);
        Assert.StartsWith("The request's total time budget of 00:00:05 ran out after 2 attempt(s).", ex.Message, StringComparison.Ordinal);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Failed, nameof(HttpRequestException)), ("economy", RouteAttemptOutcome.Failed, nameof(TimeoutException))],
            outcome.Attempts);
    }

    [Fact]
    public async Task TheBudget_StillRunsOut_OnTheSystemClock_AfterServingRequestsThatEndedInTime()
    {
        var premium = new TestChatClient("premium");
        var executor = new FallbackRouteExecutor(new FallbackOptions { TotalTimeout = TimeSpan.FromMilliseconds(200) }, TimeProvider.System);
        for (int i = 0; i < 3; i++)
        {
            await executor.GetResponseAsync(NewRoute(premium, new TestChatClient("economy"), executor), Messages, null, CancellationToken.None);
        }

        var hanging = new TestChatClient("premium") { GetResponseAsyncCallback = async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); throw new InvalidOperationException("unreachable"); } };
        Task<ChatResponse> pending = executor.GetResponseAsync(NewRoute(hanging, Failing("economy"), executor), Messages, null, CancellationToken.None);

        await Assert.ThrowsAsync<FallbackTimeoutException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ALongLivedCallerToken_IsUnlinkedFromEveryFinishedRequest()
    {
        var executor = new FallbackRouteExecutor(new FallbackOptions(), TimeProvider.System);
        using var appLifetime = new CancellationTokenSource();
        for (int i = 0; i < 3; i++)
        {
            await executor.GetResponseAsync(NewRoute(new TestChatClient("premium"), new TestChatClient("economy"), executor), Messages, null, appLifetime.Token);
        }

        // Cancelling the caller's source later neither reaches a finished request's (disposed) budget nor throws.
        Exception? thrown = Record.Exception(appLifetime.Cancel);
        Assert.Null(thrown);

        CancellationToken seen = default;
        var premium = new TestChatClient("premium") { GetResponseAsyncCallback = (_, _, ct) => { seen = ct; return new TestChatClient("premium").GetResponseAsync(Messages); } };
        await executor.GetResponseAsync(NewRoute(premium, new TestChatClient("economy"), executor), Messages, null, CancellationToken.None);
        Assert.True(seen.CanBeCanceled);
        Assert.False(seen.IsCancellationRequested);
    }

    [Fact]
    public async Task TheTargetPipeline_HandsBackTheTargetsOwnTask_WhenItCompletedAtOnce()
    {
        var answer = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        var inner = new TestChatClient("premium") { GetResponseAsyncCallback = (_, _, _) => answer };
        var monitor = new TargetHealthMonitor(new TargetResilienceOptions());
        using var client = new ResilientTargetChatClient(inner, monitor.GetPipeline("premium"));

        Assert.Same(answer, client.GetResponseAsync(Messages));

        // A retried call answers with the last attempt's result.
        int calls = 0;
        inner.GetResponseAsyncCallback = (_, _, _) => ++calls == 1 ? Task.FromException<ChatResponse>(Status(HttpStatusCode.BadGateway)) : answer;
        var retrying = new TargetResilienceOptions();
        retrying.Retry.Delay = TimeSpan.Zero;
        using var retried = new ResilientTargetChatClient(inner, new TargetHealthMonitor(retrying).GetPipeline("premium"));
        Assert.Same(await answer, await retried.GetResponseAsync(Messages));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task AStreamsAttemptSource_IsUnlinkedFromTheCallerWhenTheStreamEnds()
    {
        (ResilientTargetChatClient client, _, StrongBox<CancellationToken> seen) = TokenRecordingPipeline();
        using ResilientTargetChatClient owned = client;
        using var appLifetime = new CancellationTokenSource();
        for (int i = 0; i < 3; i++)
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(Messages, cancellationToken: appLifetime.Token))
            {
            }
        }

        Assert.Null(Record.Exception(appLifetime.Cancel));
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Messages))
        {
            updates.Add(update);
        }

        Assert.Equal("premium streams an answer", updates.ToChatResponse().Text);
        Assert.False(seen.Value.IsCancellationRequested);
    }

    [Fact]
    public async Task TheTargetPipelineStream_RetriesOnlyTheStart_ThenPassesTheTargetsUpdatesThrough()
    {
        int calls = 0;
        var failure = new IOException("reset");
        var inner = new TestChatClient("premium")
        {
            GetStreamingResponseAsyncCallback = (_, _, ct) => ++calls switch
            {
                1 => Streams.FailBeforeTheFirstUpdate(Status(HttpStatusCode.BadGateway)),
                2 => WordsThen(["a", "b"], failure, ct),
                _ => throw new InvalidOperationException("a started stream was retried"),
            },
        };
        var options = new TargetResilienceOptions();
        options.Retry.Delay = TimeSpan.Zero;
        using var client = new ResilientTargetChatClient(inner, new TargetHealthMonitor(options).GetPipeline("premium"));
        var received = new List<string>();

        IOException thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Messages))
            {
                received.Add(update.Text);
            }
        });

        Assert.Same(failure, thrown); // after the first update a failure surfaces as the target threw it, never retried
        Assert.Equal(["a", "b"], received);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task TheTargetPipelineStream_CombinesTheCallersTokens_AndEnumeratesAgain_LikeAnAsyncIterator()
    {
        (ResilientTargetChatClient client, TestChatClient inner, StrongBox<CancellationToken> seen) = TokenRecordingPipeline();
        using ResilientTargetChatClient owned = client;
        using var method = new CancellationTokenSource();
        using var enumerator = new CancellationTokenSource();
        IAsyncEnumerable<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(Messages, cancellationToken: method.Token);

        await using (IAsyncEnumerator<ChatResponseUpdate> e = stream.GetAsyncEnumerator(enumerator.Token))
        {
            Assert.True(await e.MoveNextAsync());
            Assert.Equal("premium", e.Current.Text);
            await enumerator.CancelAsync(); // either token cancels the stream
            Assert.True(seen.Value.IsCancellationRequested);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await e.MoveNextAsync());
        }

        // The same enumerable enumerates again, on the method's token alone.
        List<ChatResponseUpdate> again = await Streams.ReadAllAsync(stream);
        Assert.Equal("premium streams an answer", again.ToChatResponse().Text);
        Assert.Equal(2, inner.Calls);
    }

    /// <summary>A target pipeline (default options) over a client that remembers the token its last stream was started with.</summary>
    private static (ResilientTargetChatClient Client, TestChatClient Inner, StrongBox<CancellationToken> Seen) TokenRecordingPipeline()
    {
        var seen = new StrongBox<CancellationToken>();
        var inner = new TestChatClient("premium");
        var defaultStream = inner.GetStreamingResponseAsyncCallback;
        inner.GetStreamingResponseAsyncCallback = (m, o, ct) => { seen.Value = ct; return defaultStream(m, o, ct); };
        return (new ResilientTargetChatClient(inner, new TargetHealthMonitor(new TargetResilienceOptions()).GetPipeline("premium")), inner, seen);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> WordsThen(string[] words, Exception error, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (string word in words)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word);
        }

        throw error;
    }

    private static (string Target, RouteAttemptOutcome Outcome, string? Error) Cancellation((string Target, RouteAttemptOutcome Outcome, string? Error) attempt) =>
        attempt.Error == nameof(TaskCanceledException) ? attempt with { Error = nameof(OperationCanceledException) } : attempt;

    private static Type? CancellationType(Exception? error) => error is TaskCanceledException ? typeof(OperationCanceledException) : error?.GetType();

    private sealed record Outcome(
        IReadOnlyList<(string Target, RouteAttemptOutcome Outcome, string? Error)> Attempts, int Succeeded, string Target, (int Premium, int Economy) Calls, Exception? Error);

    /// <summary>
    /// Runs a scenario through the executor (the fast path) or, as the reference, through MEAI's failover loop from
    /// the first target with the budget the executor used to create (a token source on the TimeProvider linked to the caller).
    /// </summary>
    private static async Task<Outcome> RunAsync(Scenario scenario, bool fastPath, bool streaming = false)
    {
        var time = new FakeTimeProvider();
        using var caller = new CancellationTokenSource();
        var run = new Run(caller, () => time.Advance(Budget + TimeSpan.FromSeconds(1)));
        var premium = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = (_, _, ct) => scenario.Premium(run, ct),
            GetStreamingResponseAsyncCallback = (_, _, ct) => Streamed(scenario.Premium(run, ct)), // a synchronous throw stays one
        };
        var economy = new TestChatClient("economy");
        if (scenario.Economy is { } second)
        {
            economy.GetResponseAsyncCallback = (_, _, ct) => second(run, ct);
            economy.GetStreamingResponseAsyncCallback = (_, _, ct) => Streamed(second(run, ct));
        }

        var options = new FallbackOptions { TotalTimeout = Budget };
        scenario.Configure?.Invoke(options);
        var executor = new FallbackRouteExecutor(options, time);
        RouteExecution route = NewRoute(premium, scenario.PremiumOnly ? null : economy, executor);
        Exception? error = null;
        try
        {
            if (fastPath && streaming)
            {
                await foreach (ChatResponseUpdate _ in executor.GetStreamingResponseAsync(route, Messages, null, caller.Token))
                {
                }
            }
            else if (fastPath)
            {
                await executor.GetResponseAsync(route, Messages, null, caller.Token);
            }
            else
            {
                using var budget = new CancellationTokenSource(Budget, time);
                using CancellationTokenRegistration link = caller.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), budget);
                using var failover = new DecisionFailoverChatClient(route, null, options.ShouldFallOver, caller.Token);
                try
                {
                    if (streaming)
                    {
                        await foreach (ChatResponseUpdate _ in failover.GetStreamingResponseAsync(Messages, null, budget.Token))
                        {
                        }
                    }
                    else
                    {
                        await failover.GetResponseAsync(Messages, null, budget.Token);
                    }
                }
                catch (OperationCanceledException ex) when (budget.IsCancellationRequested && !caller.IsCancellationRequested)
                {
                    throw new FallbackTimeoutException($"The request's total time budget of {Budget} ran out after {route.AttemptCount} attempt(s).", ex);
                }
            }
        }
#pragma warning disable CA1031 // The outcome is what the test compares.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        return new Outcome(
            [.. route.Info.Attempts.Where(a => a.Outcome != RouteAttemptOutcome.Succeeded).Select(a => (a.Target, a.Outcome, a.Error))],
            route.Info.Attempts.Count(a => a.Outcome == RouteAttemptOutcome.Succeeded),
            route.Info.Target,
            (premium.Calls, economy.Calls),
            error);
    }

    /// <summary>A target's answer as a stream: the answer (or its failure) comes before the first update; the last update has a finish reason.</summary>
    private static async IAsyncEnumerable<ChatResponseUpdate> Streamed(Task<ChatResponse> answer)
    {
        ChatResponse response = await answer;
        response.FinishReason ??= ChatFinishReason.Stop;
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    private static RouteExecution NewRoute(IChatClient premium, IChatClient? economy, FallbackRouteExecutor executor)
    {
        RouteTarget first = Targets.Premium(premium);
        TargetRegistry registry = economy is null ? Targets.Registry(first) : Targets.Registry(first, Targets.Economy(economy));
        return new RouteExecution(Guid.NewGuid(), DateTimeOffset.UtcNow, new RoutingRequest("hello"), RouteCandidates.All(registry), RouteDecision.To(first, "test", "t"), TimeSpan.Zero, buildChain: executor.ChainBuilder);
    }

    private static TestChatClient Failing(string name) => new(name) { GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(Status(HttpStatusCode.ServiceUnavailable)) };
}
