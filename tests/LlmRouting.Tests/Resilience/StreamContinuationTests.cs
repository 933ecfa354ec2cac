using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Accounting;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

public class StreamContinuationTests
{
    private static (IChatClient Chat, ServiceProvider Provider) Build(TestChatClient premium, TestChatClient economy, Action<FallbackOptions>? configure = null, TimeProvider? time = null, Action<LlmRouterBuilder>? router = null)
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
            r.AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
             .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
             .Default("premium")
             .UseFallback(o =>
             {
                 o.Resilience.EnableRetry = false;
                 o.Continuation.Enabled = true;
                 configure?.Invoke(o);
             });
            router?.Invoke(r);
        });
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IChatClient>(), provider);
    }

    [Fact]
    public async Task BrokenTextStream_IsContinuedOnTheNextTarget_Seamlessly()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer", " is"], new IOException("reset"), ct) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" forty", "-two."], null, ct) };
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?"));

        ChatResponse response = updates.ToChatResponse();
        Assert.Equal("The answer is forty-two.", response.Text);
        Assert.Single(response.Messages);
        Assert.All(updates, u => Assert.Equal(updates[0].MessageId, u.MessageId));
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.True(route.IsSpliced);
        Assert.Equal("economy", route.Target);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Failed), ("economy", RouteAttemptOutcome.Succeeded)],
            route.Attempts.Select(a => (a.Target, a.Outcome)));

        IReadOnlyList<ChatMessage> sent = economy.LastMessages!;
        Assert.Equal(3, sent.Count);
        Assert.Equal(ChatRole.Assistant, sent[1].Role);
        Assert.Equal("The answer is", sent[1].Text);
        Assert.Equal(ChatRole.User, sent[2].Role);
        Assert.Equal(StreamContinuationOptions.DefaultInstruction, sent[2].Text);
    }

    [Fact]
    public async Task BrokenStream_WhenContinuationIsOff_SurfacesAsStreamInterrupted()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer"], new IOException("reset"), ct) };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o => o.Continuation.Enabled = false);
        using ServiceProvider _ = provider;

        StreamInterruptedException error = await Assert.ThrowsAsync<StreamInterruptedException>(() => Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?")));

        Assert.IsType<IOException>(error.InnerException);
        Assert.Null(error.NotContinuedBecause);
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task BrokenStream_AfterAFunctionCall_ThrowsStreamInterrupted_WithWhatWasStreamed()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => FunctionCallThenBreak(ct) };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;
        var received = new List<ChatResponseUpdate>();

        StreamInterruptedException error = await Assert.ThrowsAsync<StreamInterruptedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("Weather in Paris?"))
            {
                received.Add(update);
            }
        });

        Assert.IsType<IOException>(error.InnerException);
        Assert.Contains(nameof(FunctionCallContent), error.Message, StringComparison.Ordinal);
        Assert.Equal(received, error.Updates);
        Assert.Contains(error.Updates, u => u.Contents.OfType<FunctionCallContent>().Any());
        Assert.NotNull(error.Route);
        Assert.False(error.Route.IsSpliced);
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task BrokenStream_WithNoTargetLeft_ThrowsStreamInterrupted()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer"], new IOException("reset"), ct) };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o => o.MaxTargets = 1);
        using ServiceProvider _ = provider;

        StreamInterruptedException error = await Assert.ThrowsAsync<StreamInterruptedException>(() => Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?")));

        Assert.Contains("no target is left", error.Message, StringComparison.Ordinal);
        Assert.Equal("The answer", error.Updates.ToChatResponse().Text);
        Assert.Equal(0, economy.Calls);
    }

    [Fact]
    public async Task ContinuationBreakingToo_ThrowsStreamInterrupted_AtTheContinuationLimit()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer"], new IOException("reset"), ct) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" is"], new IOException("reset again"), ct) };
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;

        StreamInterruptedException error = await Assert.ThrowsAsync<StreamInterruptedException>(() => Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?")));

        Assert.Equal("The answer is", error.Updates.ToChatResponse().Text);
        Assert.True(error.Route!.IsSpliced);
        Assert.Equal(["premium", "economy"], error.Route.Attempts.Select(a => a.Target));
    }

    [Fact]
    public async Task StreamEndingWithoutAFinishReason_IsContinued_LikeABrokenOne()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Stall(["The answer"], ct, stall: false) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" is 42."], null, ct) };
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?"));

        Assert.Equal("The answer is 42.", updates.ToChatResponse().Text);
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.True(route.IsSpliced);
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Failed, nameof(StreamInterruptedException)), ("economy", RouteAttemptOutcome.Succeeded, null)],
            route.Attempts.Select(a => (a.Target, a.Outcome, a.Error)));
    }

    [Fact]
    public async Task StalledStream_IsContinuedAfterTheIdleTimeout()
    {
        var time = new FakeTimeProvider();
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Stall(["The answer"], ct) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" is 42."], null, ct) };
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o => o.Continuation.IdleTimeout = TimeSpan.FromSeconds(5), time);
        using ServiceProvider _ = provider;

        await using IAsyncEnumerator<ChatResponseUpdate> e = chat.GetStreamingResponseAsync("What is the answer?").GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        Assert.Equal("The answer", e.Current.Text);
        ValueTask<bool> next = e.MoveNextAsync();
        Assert.False(next.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await next);
        Assert.Equal(" is 42.", e.Current.Text);
        RouteInfo route = e.Current.GetRouteInfo()!;
        Assert.True(route.IsSpliced);
        Assert.Equal("premium", route.Attempts[0].Target);
        Assert.Equal(RouteAttemptOutcome.Failed, route.Attempts[0].Outcome);
        Assert.Equal(nameof(TimeoutException), route.Attempts[0].Error);
        Assert.False(await e.MoveNextAsync());
    }

    [Fact]
    public async Task BrokenSegment_WithoutReportedUsage_IsChargedAnEstimate_InTheRouteAndTheLedger()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer", " is"], new IOException("reset"), ct) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" forty", "-two."], null, ct, reportUsage: true) };
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, router: r => r.UseLedger());
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?"));

        RouteInfo route = updates[^1].GetRouteInfo()!;
        int input = route.Request.EstimatedInputTokens;
        int output = TokenEstimator.Estimate("The answer is");
        decimal brokenEstimate = ((input * 2.50m) + (output * 10m)) / 1_000_000m;
        decimal economyCost = ((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m;
        Assert.Equal(
            [("premium", RouteAttemptOutcome.Failed, brokenEstimate, true), ("economy", RouteAttemptOutcome.Succeeded, economyCost, false)],
            route.Attempts.Select(a => (a.Target, a.Outcome, a.Cost, a.IsCostEstimated)));
        Assert.Equal(brokenEstimate + economyCost, route.Cost);
        Assert.True(route.IsCostEstimated);
        Assert.Equal(input + 1000, route.Usage!.InputTokenCount);
        Assert.Equal(output + 500, route.Usage.OutputTokenCount);
        RoutingLedgerTotals totals = provider.GetRequiredService<IRoutingLedger>().GetSummary().Totals;
        Assert.Equal(brokenEstimate + economyCost, totals.Cost);
        Assert.Equal(output + 500, totals.OutputTokens);
    }

    [Fact]
    public async Task BrokenStream_NotContinued_ChargesTheBrokenSegment_OnTheInterruptedRoute()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer"], new IOException("reset"), ct) };
        var economy = new TestChatClient("economy");
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, o => o.Continuation.Enabled = false);
        using ServiceProvider _ = provider;

        StreamInterruptedException error = await Assert.ThrowsAsync<StreamInterruptedException>(() => Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?")));

        RouteInfo route = error.Route!;
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal((RouteAttemptOutcome.Failed, nameof(IOException), true), (attempt.Outcome, attempt.Error, attempt.IsCostEstimated));
        decimal estimate = ((route.Request.EstimatedInputTokens * 2.50m) + (TokenEstimator.Estimate("The answer") * 10m)) / 1_000_000m;
        Assert.Equal(estimate, attempt.Cost);
        Assert.Equal(estimate, route.Cost);
    }

    [Fact]
    public async Task BrokenSegment_ThatReportedUsage_IsChargedWhatItReported()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer"], new IOException("reset"), ct, reportUsage: true) };
        var economy = new TestChatClient("economy") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" is 42."], null, ct) };
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy);
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("What is the answer?"));

        RouteInfo route = updates[^1].GetRouteInfo()!;
        RouteAttempt broken = route.Attempts[0];
        Assert.Equal(((1000 * 2.50m) + (500 * 10m)) / 1_000_000m, broken.Cost);
        Assert.False(broken.IsCostEstimated);
        Assert.False(route.IsCostEstimated);
        Assert.Null(route.Attempts[1].Cost); // the continuation reported no usage
    }

    [Fact]
    public async Task CallerStoppingAfterOutput_ChargesWhatWasStreamed_AsAnAbandonedAttempt()
    {
        var premium = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer", " is", " 42."], null, ct) };
        var economy = new TestChatClient("economy");
        var observer = new RecordingObserver();
        (IChatClient chat, ServiceProvider provider) = Build(premium, economy, router: r => r.AddObserver(observer));
        using ServiceProvider _ = provider;

        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("What is the answer?"))
        {
            break;
        }

        RouteInfo route = Assert.Single(observer.Routes);
        RouteAttempt attempt = Assert.Single(route.Attempts);
        Assert.Equal((RouteAttemptOutcome.Abandoned, true), (attempt.Outcome, attempt.IsCostEstimated));
        Assert.Equal(((route.Request.EstimatedInputTokens * 2.50m) + (TokenEstimator.Estimate("The answer") * 10m)) / 1_000_000m, route.Cost);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Words(string[] words, Exception? breakWith, [EnumeratorCancellation] CancellationToken ct, bool reportUsage = false)
    {
        string messageId = Guid.NewGuid().ToString("N");
        for (int i = 0; i < words.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            bool last = i == words.Length - 1 && breakWith is null;
            yield return new ChatResponseUpdate(ChatRole.Assistant, words[i]) { MessageId = messageId, FinishReason = last ? ChatFinishReason.Stop : null };
        }

        if (reportUsage)
        {
            yield return new ChatResponseUpdate { MessageId = messageId, Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500, TotalTokenCount = 1500 })] };
        }

        if (breakWith is not null)
        {
            throw breakWith;
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Stall(string[] words, [EnumeratorCancellation] CancellationToken ct, bool stall = true)
    {
        foreach (string word in words)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word) { MessageId = "m1" };
        }

        if (stall)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> FunctionCallThenBreak([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        ct.ThrowIfCancellationRequested();
        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, Contents = [new FunctionCallContent("call-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })] };
        throw new IOException("reset");
    }
}
