using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using LlmRouting.Execution;
using LlmRouting.Resilience;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class FallbackTests
{
    private static HttpRequestException Status(HttpStatusCode code) => new($"status {(int)code}", null, code);

    private static (IChatClient Chat, ServiceProvider Provider) Build(TestChatClient premium, TestChatClient economy, Action<FallbackOptions>? configure = null, TimeProvider? time = null, Action<RuleSetBuilder>? rules = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddKeyedChatClient("premium", premium);
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium).Supports(ModelCapabilities.Tools))
             .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
             .Default("premium")
             .UseFallback(o =>
             {
                 o.Resilience.Retry.Delay = TimeSpan.Zero;
                 o.Resilience.Retry.UseJitter = false;
                 configure?.Invoke(o);
             });
            if (rules is not null)
            {
                r.UseRules(rules);
            }
        });
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IChatClient>(), provider);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TransientFailure_FallsOverToTheNextTarget(bool streaming)
    {
        var premium = Failing("premium", Status(HttpStatusCode.ServiceUnavailable));
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;

        (string text, RouteInfo route) = await SendAsync(chat, "hello", streaming);

        Assert.StartsWith("economy", text, StringComparison.Ordinal);
        Assert.Equal("economy", route.Target);
        Assert.True(route.IsFallback);
        Assert.Equal("premium", route.Decision.Primary.Name);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Failed), ("economy", RouteAttemptOutcome.Succeeded)],
            route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal(nameof(HttpRequestException), route.Attempts[0].Error);
        Assert.Equal(((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m, route.Cost);
        Assert.Equal(3, premium.Calls); // first try + 2 retries on the same target, then failover
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task RequestErrors_DoNotFallOver_AndSurfaceTheOriginalException(HttpStatusCode code)
    {
        HttpRequestException error = Status(code);
        var premium = Failing("premium", error);
        var economy = new TestChatClient("economy");
        var observer = new RecordingObserver();
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;

        HttpRequestException thrown = await Assert.ThrowsAsync<HttpRequestException>(() => chat.GetResponseAsync("hello"));

        Assert.Same(error, thrown);
        Assert.Equal(1, premium.Calls);
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task AStreamThatBreaksAfterOutput_IsNotRestartedElsewhere()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => BreakAfterFirst(ct) };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;
        var received = new List<string>();

        StreamInterruptedException ex = await Assert.ThrowsAsync<StreamInterruptedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("hello"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["partial"], received);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Equal("partial", ex.PartialText);
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task CallerCancellation_IsNeverRetriedNorFailedOver()
    {
        var premium = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> pending = chat.GetResponseAsync("hello", cancellationToken: cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(1, premium.Calls);
        Assert.Equal(0, economy.Calls);
        Assert.All(provider.GetRequiredService<TargetHealthMonitor>().GetSnapshot(), h => Assert.Equal(CircuitState.Closed, h.State));
    }

    [Fact]
    public async Task TheTotalBudget_EndsTheRequestWithASpecificException()
    {
        var time = new FakeTimeProvider();
        var hang = new TaskCompletionSource<ChatResponse>();
        var premium = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                using CancellationTokenRegistration _ = ct.Register(() => hang.TrySetCanceled(ct));
                return await hang.Task;
            },
        };
        (IChatClient chat, ServiceProvider provider) = Build(premium, new TestChatClient("economy"), o =>
        {
            o.TotalTimeout = TimeSpan.FromSeconds(5);
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(10);
        }, time);
        using ServiceProvider _ = provider;

        Task<ChatResponse> pending = chat.GetResponseAsync("hello");
        time.Advance(TimeSpan.FromSeconds(6));

        FallbackTimeoutException ex = await Assert.ThrowsAsync<FallbackTimeoutException>(() => pending);
        Assert.StartsWith("The request's total time budget of 00:00:05 ran out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAttemptTimeout_FallsOver()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o =>
        {
            o.Resilience.EnableRetry = false;
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2);
        }, time);
        using ServiceProvider _ = provider;

        Task<ChatResponse> pending = chat.GetResponseAsync("hello");
        time.Advance(TimeSpan.FromSeconds(3)); // past the 2 s attempt timeout, far from the 2 min total budget

        RouteInfo route = (await pending.WaitAsync(TimeSpan.FromSeconds(30))).GetRouteInfo()!;
        Assert.Equal("economy", route.Target);
        Assert.Equal("TimeoutRejectedException", route.Attempts[0].Error);
    }

    [Fact]
    public async Task ABrokenCircuit_RemovesTheTargetFromTheCandidates_UntilItCoolsDown()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var premium = Failing("premium", Status(HttpStatusCode.InternalServerError));
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o =>
        {
            o.Resilience.EnableRetry = false;
            o.Resilience.CircuitBreaker.MinimumThroughput = 2;
            o.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
        }, time);
        using ServiceProvider _ = provider;
        TargetHealthMonitor health = provider.GetRequiredService<TargetHealthMonitor>();

        await chat.GetResponseAsync("one");
        await chat.GetResponseAsync("two");
        TargetHealth premiumHealth = health.GetHealth("premium");
        Assert.Equal(CircuitState.Open, premiumHealth.State);
        Assert.Equal(time.GetUtcNow().AddSeconds(30), premiumHealth.OpenUntil);
        Assert.Equal(nameof(HttpRequestException), premiumHealth.LastFailure);

        int callsBefore = premium.Calls;
        RouteInfo route = (await chat.GetResponseAsync("three")).GetRouteInfo()!;
        Assert.Equal(callsBefore, premium.Calls);
        Assert.Equal("economy", route.Target);
        Assert.False(route.IsFallback);
        CandidateRejection rejection = Assert.Single(route.Rejections);
        Assert.Equal("health", rejection.Filter);
        Assert.StartsWith("circuit Open until 2026-11-24T09:00:30", rejection.Reason, StringComparison.Ordinal);

        premium.GetResponseAsyncCallback = new TestChatClient("premium").GetResponseAsyncCallback;
        time.Advance(TimeSpan.FromSeconds(31));
        RouteInfo probe = (await chat.GetResponseAsync("four")).GetRouteInfo()!;
        Assert.Equal("premium", probe.Target);
        Assert.Equal(CircuitState.Closed, health.GetHealth("premium").State);
    }

    [Fact]
    public async Task Panic_WhenEveryCircuitIsOpen_TargetsAreTriedAnyway()
    {
        var time = new FakeTimeProvider();
        var premium = Failing("premium", Status(HttpStatusCode.BadGateway));
        var economy = Failing("economy", Status(HttpStatusCode.BadGateway));
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o =>
        {
            o.Resilience.EnableRetry = false;
            o.Resilience.CircuitBreaker.MinimumThroughput = 2;
        }, time);
        using ServiceProvider _ = provider;

        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => chat.GetResponseAsync("x"));
        }

        Assert.All(provider.GetRequiredService<TargetHealthMonitor>().GetSnapshot(), h => Assert.Equal(CircuitState.Open, h.State));
        int before = premium.Calls + economy.Calls;
        Exception last = await Assert.ThrowsAnyAsync<Exception>(() => chat.GetResponseAsync("x"));
        Assert.IsType<HttpRequestException>(last); // the providers' own failure, not the open circuit's
        Assert.Equal(before + 2, premium.Calls + economy.Calls); // each target probed once, past its open circuit
    }

    [Fact]
    public void Chain_IsDecisionThenLastResortThenNearestTiers_CappedAndFiltered()
    {
        var registry = new TargetRegistry(
        [
            new RouteTarget("premium", new TestChatClient(), new TargetProfile { Tier = QualityTier.Premium, InputPricePerMillion = 5 }),
            new RouteTarget("premium-b", new TestChatClient(), new TargetProfile { Tier = QualityTier.Premium, InputPricePerMillion = 3 }),
            new RouteTarget("standard", new TestChatClient(), new TargetProfile { Tier = QualityTier.Standard, InputPricePerMillion = 1 }),
            new RouteTarget("economy", new TestChatClient(), new TargetProfile { Tier = QualityTier.Economy }),
            new RouteTarget("excluded", new TestChatClient(), new TargetProfile { Tier = QualityTier.Premium }),
        ]);
        var candidates = new RouteCandidates(registry, [.. registry.Targets.Where(t => t.Name != "excluded")], [new("excluded", "policy", "not allowed")]);
        var route = new RouteExecution(Guid.NewGuid(), DateTimeOffset.UtcNow, new RoutingRequest("x"), candidates, RouteDecision.To(registry["premium"], "test", "t"), TimeSpan.Zero);
        var options = new FallbackOptions { MaxTargets = 10 };
        options.LastResort.Add("excluded");
        options.LastResort.Add("economy");

        IReadOnlyList<RouteTarget> chain = new TargetChain(options).BuildChain(route);

        Assert.Equal(["premium", "economy", "premium-b", "standard"], chain.Select(t => t.Name));
        options.MaxTargets = 2;
        Assert.Equal(["premium", "economy"], new TargetChain(options).BuildChain(route).Select(t => t.Name));
    }

    [Fact]
    public void UnknownLastResortTarget_FailsAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient());
        services.AddLlmRouter(r => r.AddTarget("premium").Default("premium").UseFallback(o => o.LastResort.Add("ghost")));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Contains("Fallback:LastResort[0] 'ghost' is not a configured target (known targets: premium).", ex.Failures);
    }

    private static TestChatClient Failing(string name, Exception error) => new(name)
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(error),
        GetStreamingResponseAsyncCallback = (_, _, _) => Throwing(error),
    };

    private static async IAsyncEnumerable<ChatResponseUpdate> Throwing(Exception error)
    {
        await Task.Yield();
        if (error is not null)
        {
            throw error;
        }

        yield break;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> BreakAfterFirst([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
        throw new IOException("connection reset");
    }

    private static async Task<(string Text, RouteInfo Route)> SendAsync(IChatClient chat, string prompt, bool streaming)
    {
        if (!streaming)
        {
            ChatResponse response = await chat.GetResponseAsync(prompt);
            return (response.Text, response.GetRouteInfo()!);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(prompt))
        {
            updates.Add(update);
        }

        return (updates.ToChatResponse().Text, updates[^1].GetRouteInfo()!);
    }
}
