using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class JudgeStrategyTests
{
    private static readonly TargetProfile JudgePrices = new() { InputPricePerMillion = 1m, OutputPricePerMillion = 2m };

    private static TestChatClient Judge(string answer, long input = 200, long output = 2) => new("judge")
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output },
        }),
    };

    private static RouteCandidates Candidates() => RouteCandidates.All(Targets.Registry(Targets.Premium(), Targets.Economy(), Targets.OnPrem()));

    [Fact]
    public async Task TierAnswer_RoutesToTheCheapestCandidateOfThatTier_AndRecordsItsCost()
    {
        var strategy = new JudgeStrategy(Judge("PREMIUM"), prices: JudgePrices);

        RouteDecision decision = (await strategy.DecideAsync(Targets.Request("Prove that there are infinitely many primes."), Candidates(), default))!;

        Assert.Equal("premium", decision.Primary.Name);
        Assert.Equal("judge", decision.Strategy);
        decimal expected = (200 * 1m / 1_000_000m) + (2 * 2m / 1_000_000m);
        Assert.Equal(expected, decision.DecisionCost);
        Assert.Equal(expected, strategy.TotalCost);
        Assert.Equal(1, strategy.Calls);
        Assert.StartsWith("judge chose PREMIUM (judge cost 0.000204", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EconomyAnswer_PicksTheCheaperOfTwoEconomyTargets()
    {
        // economy costs 0.15/0.60 per million, on-prem 0.05/0.08: on-prem is cheaper.
        var strategy = new JudgeStrategy(Judge("economy"));

        RouteDecision decision = (await strategy.DecideAsync(Targets.Request("hi there"), Candidates(), default))!;

        Assert.Equal("on-prem", decision.Primary.Name);
        Assert.Null(decision.DecisionCost);
    }

    [Theory]
    [InlineData(" Standard ", "STANDARD")]
    [InlineData("`premium`.", "PREMIUM")]
    [InlineData("\"ECONOMY\"\n", "ECONOMY")]
    [InlineData("PREMIUM because it is hard", null)]
    [InlineData("I would say premium", null)]
    [InlineData("", null)]
    [InlineData("ULTRA", null)]
    public void Parse_AcceptsOneChoiceAlone(string answer, string? expected) =>
        Assert.Equal(expected, new JudgeStrategy(Judge("x")).Parse(answer));

    [Fact]
    public async Task AnswerOutsideTheFormat_Abstains_ButItsCostIsStillCounted()
    {
        var strategy = new JudgeStrategy(Judge("Sure! The request needs PREMIUM."), prices: JudgePrices);

        RouteDecision? decision = await strategy.DecideAsync(Targets.Request("hello"), Candidates(), default);

        Assert.Null(decision);
        Assert.Equal(1, strategy.InvalidAnswers);
        Assert.True(strategy.TotalCost > 0);
    }

    [Fact]
    public async Task ChosenTierWithoutCandidate_Abstains()
    {
        var strategy = new JudgeStrategy(Judge("STANDARD"));

        Assert.Null(await strategy.DecideAsync(Targets.Request("hello"), Candidates(), default));
        Assert.Equal(1, strategy.InvalidAnswers);
    }

    [Fact]
    public async Task SlowJudge_TimesOutAndAbstains_WithoutBlocking()
    {
        var time = new FakeTimeProvider();
        var hanging = new TestChatClient("judge")
        {
            // A client that ignores cancellation altogether: the strategy must not wait for it.
            GetResponseAsyncCallback = (_, _, _) => new TaskCompletionSource<ChatResponse>().Task,
        };
        var strategy = new JudgeStrategy(hanging, new JudgeOptions { Timeout = TimeSpan.FromMilliseconds(500) }, timeProvider: time);

        ValueTask<RouteDecision?> pending = strategy.DecideAsync(Targets.Request("hello"), Candidates(), default);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(await pending);
        Assert.Equal(1, strategy.Timeouts);
    }

    [Fact]
    public async Task CallerCancellation_IsNotSwallowed()
    {
        var hanging = new TestChatClient("judge") { GetResponseAsyncCallback = (_, _, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith<ChatResponse>(_ => throw new OperationCanceledException(ct), TaskScheduler.Default) };
        var strategy = new JudgeStrategy(hanging, timeProvider: new FakeTimeProvider());
        using var cts = new CancellationTokenSource();

        ValueTask<RouteDecision?> pending = strategy.DecideAsync(Targets.Request("hello"), Candidates(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.Equal(0, strategy.Timeouts);
    }

    [Fact]
    public async Task FailingJudge_Abstains()
    {
        var failing = new TestChatClient("judge") { GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("503")) };

        Assert.Null(await new JudgeStrategy(failing).DecideAsync(Targets.Request("hello"), Candidates(), default));
    }

    [Theory]
    [InlineData("Please email jane.doe@example.com the contract", null)]
    [InlineData("hello", "sensitive")]
    public async Task SensitiveRequests_AreNeverSentToTheJudge(string prompt, string? tag)
    {
        TestChatClient judge = Judge("PREMIUM");
        ChatOptions? options = tag is null ? null : Targets.WithMetadata(("tags", tag));

        RouteDecision? decision = await new JudgeStrategy(judge).DecideAsync(Targets.Request(prompt, options), Candidates(), default);

        Assert.Null(decision);
        Assert.Equal(0, judge.Calls);
    }

    [Fact]
    public async Task JudgeTargetFilteredOut_IsNotAsked()
    {
        TestChatClient judge = Judge("PREMIUM");
        var strategy = new JudgeStrategy(judge, new JudgeOptions { Target = "economy", SkipSensitive = false });
        TargetRegistry registry = Targets.Registry(Targets.Premium(), Targets.Economy());
        var candidates = new RouteCandidates(registry, [registry["premium"]]);

        Assert.Null(await strategy.DecideAsync(Targets.Request("hello"), candidates, default));
        Assert.Equal(0, judge.Calls);
    }

    [Fact]
    public async Task TargetMode_ChoosesAmongNamedTargets_WithTheirDescriptionsInThePrompt()
    {
        TestChatClient judge = Judge("economy");
        var options = new JudgeOptions { MaxPromptChars = 10 };
        options.Targets["premium"] = "hard maths and code";
        options.Targets["economy"] = "chit-chat";
        var strategy = new JudgeStrategy(judge, options);

        RouteDecision decision = (await strategy.DecideAsync(Targets.Request("0123456789ABCDEFGHIJ"), Candidates(), default))!;

        Assert.Equal("economy", decision.Primary.Name);
        Assert.Equal(["premium", "economy"], strategy.Choices);
        ChatMessage system = judge.LastMessages![0];
        Assert.Contains("- premium: hard maths and code", system.Text, StringComparison.Ordinal);
        Assert.EndsWith("Answer with exactly one word from: premium, economy. No other text.", system.Text, StringComparison.Ordinal);
        string user = judge.LastMessages[1].Text;
        Assert.Contains("0123456789\n[… truncated]", user, StringComparison.Ordinal);
        Assert.DoesNotContain("ABC", user, StringComparison.Ordinal);
        Assert.Equal(0f, judge.LastOptions!.Temperature);
        Assert.Equal(16, judge.LastOptions.MaxOutputTokens);
    }

    [Fact]
    public void InvalidOptions_NameTheField()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new JudgeStrategy(Judge("x"), new JudgeOptions { Timeout = TimeSpan.Zero, MaxPromptChars = 0 }));
        Assert.Equal(["LlmRouting:Judge:Timeout must be positive (was 00:00:00).", "LlmRouting:Judge:MaxPromptChars must be at least 1 (was 0)."], ex.Failures);
    }

    [Fact]
    public async Task Router_WithJudgeTarget_RecordsTheJudgeCostOnTheRoute()
    {
        var premium = new TestChatClient("premium");
        TestChatClient judge = Judge("PREMIUM", input: 1_000_000, output: 0);
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", premium, t => t.Tier(QualityTier.Premium).Prices(10m, 30m))
            .AddTarget("cheap", judge, t => t.Tier(QualityTier.Economy).Prices(0.5m, 1m).ModelId("judge-model"))
            .Default("cheap")
            .UseJudge(j => j.Target = "cheap"));
        using ServiceProvider provider = services.BuildServiceProvider();

        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("Derive the closed form of the Fibonacci numbers")).GetRouteInfo()!;

        Assert.Equal("premium", route.Target);
        Assert.Equal("judge", route.Strategy);
        Assert.Equal(0.5m, route.DecisionCost);
        Assert.Equal("judge-model", judge.LastOptions!.ModelId);
        Assert.Equal(1, premium.Calls);
    }

    [Fact]
    public void Router_JudgeWithoutTarget_FailsAtStartWithTheField()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r.AddTarget("a", new TestChatClient("a")).Default("a").UseJudge());
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.StartsWith("LlmRouting:Judge:Target is required", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
