using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

/// <summary>The Polly callbacks a user sets on <see cref="TargetResilienceOptions"/> are honoured, not dropped.</summary>
public class TargetResilienceOptionsTests
{
    private static TestChatClient FailsWith(Func<Exception> failure, int times, string name = "premium")
    {
        int calls = 0;
        return new TestChatClient(name)
        {
            GetResponseAsyncCallback = (_, _, _) => Interlocked.Increment(ref calls) <= times
                ? throw failure()
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{name} answers"))),
        };
    }

    [Fact]
    public async Task TheUsersRetryPredicateAndDelay_AreHonoured()
    {
        TestChatClient premium = FailsWith(() => new InvalidOperationException("not transient, but the user retries it"), times: 2);
        int delays = 0;
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", premium)
            .Default("premium")
            .UseFallback(f =>
            {
                f.Resilience.Retry.ShouldHandle = args => new(args.Outcome.Exception is InvalidOperationException);
                f.Resilience.Retry.DelayGenerator = _ =>
                {
                    Interlocked.Increment(ref delays);
                    return new((TimeSpan?)TimeSpan.Zero);
                };
            })
            .Build();

        ChatResponse response = await router.GetResponseAsync("hello");

        Assert.Equal("premium answers", response.Text);
        Assert.Equal(3, premium.Calls);
        Assert.Equal(2, delays);
    }

    [Fact]
    public async Task WithoutAUserPredicate_OnlyTransientFailuresAreRetried()
    {
        TestChatClient premium = FailsWith(() => new InvalidOperationException("a bug, not an outage"), times: 1);
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", premium)
            .Default("premium")
            .UseFallback(f => f.Resilience.Retry.Delay = TimeSpan.Zero)
            .Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => router.GetResponseAsync("hello"));

        Assert.Equal(1, premium.Calls);
    }

    [Fact]
    public async Task TheUsersBreakerPredicateAndCallbacks_AreHonoured()
    {
        TestChatClient premium = FailsWith(() => new InvalidOperationException("counts as a failure for this user"), times: int.MaxValue);
        int opened = 0;
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", premium)
            .AddTarget("economy", new TestChatClient("economy"))
            .Default("premium")
            .UseFallback(f =>
            {
                f.Resilience.EnableRetry = false;
                f.ShouldFallOver = _ => true;
                f.Resilience.CircuitBreaker.MinimumThroughput = 2;
                f.Resilience.CircuitBreaker.ShouldHandle = args => new(args.Outcome.Exception is InvalidOperationException);
                f.Resilience.CircuitBreaker.OnOpened = _ =>
                {
                    Interlocked.Increment(ref opened);
                    return default;
                };
            })
            .Build();

        for (int i = 0; i < 3; i++)
        {
            _ = await router.GetResponseAsync("hello");
        }

        Assert.Equal(1, opened);
        Assert.Equal(2, premium.Calls);
    }
}
