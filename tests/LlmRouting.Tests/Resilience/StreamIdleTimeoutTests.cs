using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmRouting.Tests;

/// <summary>
/// The continuation's idle timeout measures the target's silence: from the moment the next update is asked for until it
/// arrives. The time the caller holds an update — or the scheduler takes to resume it on a loaded machine — is not the
/// target's. (Found by the opt-in 100 000-request soak: under load a healthy stream whose next updates were already
/// buffered was cut by the idle timer while its reader was not running, and continued elsewhere — the first target's
/// half answer, or its whole answer, followed by the next target's.)
/// </summary>
public class StreamIdleTimeoutTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AReaderHoldingEachUpdateLongerThanTheIdleTimeout_GetsTheWholeAnswerOnce_FromOneTarget()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Buffered(["The answer", " is", " 42."], ct) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Buffered([" (economy)"], ct) };
        using ServiceProvider provider = Build(premium, economy, time);

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("What is the answer?"))
        {
            updates.Add(update);
            time.Advance(Idle + TimeSpan.FromSeconds(1)); // the reader (or a starved thread pool) holds the update past the idle timeout
        }

        Assert.Equal("The answer is 42.", updates.ToChatResponse().Text);
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.False(route.IsSpliced);
        Assert.Equal([("premium", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task TheFinishUpdate_AlreadyBuffered_IsNotLostToTheIdleTimer_WhileTheReaderHoldsTheLastText()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Buffered(["The answer is 42."], ct, finishAlone: true) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Buffered(["The answer is 42."], ct) };
        using ServiceProvider provider = Build(premium, economy, time);

        await using IAsyncEnumerator<ChatResponseUpdate> e = provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("What is the answer?").GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        Assert.Equal("The answer is 42.", e.Current.Text);
        time.Advance(Idle * 3);

        Assert.True(await e.MoveNextAsync());
        Assert.Equal(ChatFinishReason.Stop, e.Current.FinishReason);
        Assert.Equal(string.Empty, e.Current.Text); // not the answer a second time, from the next target
        RouteInfo route = e.Current.GetRouteInfo()!;
        Assert.False(await e.MoveNextAsync());
        Assert.False(route.IsSpliced);
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task ATargetSilentForTheIdleTimeout_AfterTheNextUpdateIsAskedFor_IsStillContinued()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => ThenSilent("The answer", ct) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Buffered([" is 42."], ct) };
        using ServiceProvider provider = Build(premium, economy, time);

        await using IAsyncEnumerator<ChatResponseUpdate> e = provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("What is the answer?").GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        time.Advance(Idle * 5); // the reader's time with the update: not counted
        ValueTask<bool> next = e.MoveNextAsync();
        time.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await next);
        Assert.Equal(" is 42.", e.Current.Text);
        RouteInfo route = e.Current.GetRouteInfo()!;
        Assert.True(route.IsSpliced);
        Assert.Equal(("premium", RouteAttemptOutcome.Failed, nameof(TimeoutException)), (route.Attempts[0].Target, route.Attempts[0].Outcome, route.Attempts[0].Error));
    }

    private static ServiceProvider Build(TestChatClient premium, TestChatClient economy, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddKeyedChatClient("premium", premium);
        services.AddKeyedChatClient("economy", economy);
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Tier(QualityTier.Economy))
            .Default("premium")
            .UseFallback(o =>
            {
                o.Resilience.EnableRetry = false;
                o.Continuation.Enabled = true;
                o.Continuation.IdleTimeout = Idle;
            }));
        return services.BuildServiceProvider();
    }

    /// <summary>A stream whose updates are already buffered (every move completes at once) and that, like a provider's, checks its token on each move.</summary>
    private static async IAsyncEnumerable<ChatResponseUpdate> Buffered(string[] texts, [EnumeratorCancellation] CancellationToken ct, bool finishAlone = false)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        for (int i = 0; i < texts.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            bool last = i == texts.Length - 1;
            yield return new ChatResponseUpdate(ChatRole.Assistant, texts[i]) { MessageId = "m1", FinishReason = last && !finishAlone ? ChatFinishReason.Stop : null };
        }

        if (finishAlone)
        {
            ct.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, string.Empty) { MessageId = "m1", FinishReason = ChatFinishReason.Stop };
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> ThenSilent(string text, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, text) { MessageId = "m1" };
        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
    }
}
