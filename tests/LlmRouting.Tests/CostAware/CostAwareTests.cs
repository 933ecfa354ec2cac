using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting.Tests;

public class CostAwareTests
{
    private static TargetRegistry Tiers() => new(
    [
        new RouteTarget("premium", new TestChatClient("premium"), new TargetProfile { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m, Tier = QualityTier.Premium }),
        new RouteTarget("standard", new TestChatClient("standard"), new TargetProfile { InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.60m, Tier = QualityTier.Standard }),
        new RouteTarget("economy", new TestChatClient("economy"), new TargetProfile { InputPricePerMillion = 0.05m, OutputPricePerMillion = 0.08m, Tier = QualityTier.Economy }),
    ]);

    private static Task<RouteDecision?> Decide(CostAwareStrategy strategy, double difficultyOrRequest, ChatOptions? options = null) =>
        strategy.DecideAsync(new RoutingRequest("hi", options), RouteCandidates.All(Tiers()), default).AsTask();

    private static CostAwareStrategy WithDifficulty(double difficulty, Action<CostAwareOptions>? configure = null, IBudgetStore? store = null, TimeProvider? time = null)
    {
        var options = new CostAwareOptions { Difficulty = _ => difficulty };
        configure?.Invoke(options);
        return new CostAwareStrategy(options, store, time);
    }

    /// <summary>A strategy (difficulty 0.5) with a daily user budget of 1 that refuses at its limit, <paramref name="spent"/> already spent by alice.</summary>
    private static async Task<(CostAwareStrategy Strategy, ChatOptions Alice)> RefusingDailyBudget(FakeTimeProvider time, decimal spent)
    {
        var store = new InMemoryBudgetStore(time);
        var budget = new BudgetOptions { ScopeKey = "user", Period = BudgetPeriod.Day, Limit = 1m, RefuseAtLimit = true };
        await store.AddSpendAsync(budget.KeyAt("alice", time.GetUtcNow()), spent, budget.WindowAt(time.GetUtcNow()).End);
        return (WithDifficulty(0.5, o => o.Budgets.Add(budget), store, time), Targets.WithMetadata(("user", "alice")));
    }

    [Theory]
    [InlineData(0.2, "economy")]
    [InlineData(0.6, "standard")]
    [InlineData(0.9, "premium")]
    [InlineData(0.99, "premium")]
    public async Task TheCheapestTargetThatClearsTheBar_Wins(double difficulty, string expected)
    {
        RouteDecision decision = (await Decide(WithDifficulty(difficulty), difficulty))!;
        Assert.Equal(expected, decision.Primary.Name);
        Assert.Equal(3, decision.Targets.Count);
        Assert.Equal(difficulty, decision.Score);
    }

    [Fact]
    public async Task TheReason_GivesTheCheapestGoodEnoughEstimate_ToSixDecimals()
    {
        RouteDecision decision = (await Decide(WithDifficulty(0.2), 0.2))!;
        Assert.Matches(@"^cheapest good enough: quality 0\.\d\d >= difficulty 0\.20, est\. 0\.\d{1,6}$", decision.Reason);
    }

    [Fact]
    public void TheEstimate_PrintsAsTheCustomFormatDid()
    {
        var random = new Random(7);
        Span<char> buffer = stackalloc char[48];
        decimal[] edges = [0m, 1m, 10m, 100.000000m, 0.0000005m, 0.0000004m, 0.0000015m, -0.0000001m, -0.0000005m, 123.4560000m, 79_228_162_514_264_337_593_543_950_335m, -79_228_162_514_264_337_593_543_950_335m];
        IEnumerable<decimal> generated = Enumerable.Range(0, 20_000).Select(_ => new decimal(random.Next(), random.Next(4) == 0 ? random.Next() : 0, 0, random.Next(5) == 0, (byte)random.Next(0, 29)));
        foreach (decimal value in edges.Concat(generated))
        {
            string expected = value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(expected == CostAwareStrategy.Trimmed(value, buffer).ToString(), $"{value}: {CostAwareStrategy.Trimmed(value, buffer).ToString()}, expected {expected}");
        }
    }

    [Fact]
    public async Task NobodyGoodEnough_TheStrongestServes_AndTheReasonSaysSo()
    {
        RouteDecision decision = (await Decide(WithDifficulty(0.99), 0.99))!;
        Assert.Equal("premium", decision.Primary.Name);
        Assert.StartsWith("none clears difficulty 0.99: strongest candidate (quality 0.92)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PerTargetQuality_OverridesTheTierTable()
    {
        CostAwareStrategy strategy = WithDifficulty(0.6, o => o.TargetQuality["economy"] = 0.7);
        Assert.Equal("economy", (await Decide(strategy, 0.6))!.Primary.Name);
    }

    [Fact]
    public async Task DefaultDifficulty_SendsHardAndRiskyRequestsUp_AndRoutineOnesDown()
    {
        var strategy = new CostAwareStrategy();
        RouteCandidates candidates = RouteCandidates.All(Tiers());

        RouteDecision faq = (await strategy.DecideAsync(new RoutingRequest("What are your opening hours?"), candidates, default))!;
        RouteDecision medical = (await strategy.DecideAsync(new RoutingRequest("Is it safe to double my blood pressure medication dose if I feel dizzy?"), candidates, default))!;

        Assert.Equal("economy", faq.Primary.Name);
        Assert.NotEqual("economy", medical.Primary.Name);
    }

    [Fact]
    public async Task PremiumThreshold_KeepsPremiumForHardRequests()
    {
        CostAwareStrategy strategy = WithDifficulty(0.9, o => o.PremiumThreshold = 0.95);
        RouteDecision decision = (await Decide(strategy, 0.9))!;
        Assert.Equal("standard", decision.Primary.Name);
        Assert.EndsWith("; below premium threshold", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(decision.Targets, t => t.Name == "premium");
    }

    [Fact]
    public void Calibration_SendsAtMostTheShareToPremium()
    {
        RoutingRequest[] sample = [.. Enumerable.Range(0, 100).Select(i => new RoutingRequest($"q{i}"))];
        var difficulty = new Dictionary<RoutingRequest, double>();
        for (int i = 0; i < sample.Length; i++)
        {
            difficulty[sample[i]] = i / 100.0;
        }

        double threshold = CostAwareStrategy.CalibratePremiumThreshold(sample, 0.3, r => difficulty[r]);

        Assert.Equal(0.70, threshold, 10);
        Assert.Equal(30, sample.Count(r => difficulty[r] >= threshold));
        Assert.True(CostAwareStrategy.CalibratePremiumThreshold(sample, 0, r => difficulty[r]) > 0.99);
        Assert.Equal(0, CostAwareStrategy.CalibratePremiumThreshold(sample, 1, r => difficulty[r]));
    }

    [Fact]
    public void Calibration_WithTies_NeverExceedsTheShare()
    {
        RoutingRequest[] sample = [.. Enumerable.Range(0, 10).Select(i => new RoutingRequest($"q{i}"))];
        double threshold = CostAwareStrategy.CalibratePremiumThreshold(sample, 0.3, r => r.UserText is "q0" ? 0.1 : 0.5);
        Assert.True(sample.Count(r => (r.UserText is "q0" ? 0.1 : 0.5) >= threshold) <= 3);
    }

    [Fact]
    public async Task Budget_NearTheLimit_AvoidsPremium_AtTheLimit_ServesTheCheapest()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryBudgetStore(time);
        var budget = new BudgetOptions { ScopeKey = "tenant", Period = BudgetPeriod.Day, Limit = 10m, DegradeAt = 0.8 };
        CostAwareStrategy strategy = WithDifficulty(0.9, o => o.Budgets.Add(budget), store, time);
        ChatOptions acme = Targets.WithMetadata(("tenant", "acme"));

        Assert.Equal("premium", (await Decide(strategy, 0.9, acme))!.Primary.Name);

        await store.AddSpendAsync(budget.KeyAt("acme", time.GetUtcNow()), 8.5m, budget.WindowAt(time.GetUtcNow()).End);
        RouteDecision degraded = (await Decide(strategy, 0.9, acme))!;
        Assert.Equal("standard", degraded.Primary.Name);
        Assert.EndsWith("; premium avoided, budget 85 % used", degraded.Reason, StringComparison.Ordinal);

        await store.AddSpendAsync(budget.KeyAt("acme", time.GetUtcNow()), 1.5m, budget.WindowAt(time.GetUtcNow()).End);
        RouteDecision spent = (await Decide(strategy, 0.9, acme))!;
        Assert.Equal("economy", spent.Primary.Name);
        Assert.Equal("budget spent (tenant): cheapest candidate", spent.Reason);

        Assert.Equal("premium", (await Decide(strategy, 0.9, Targets.WithMetadata(("tenant", "globex"))))!.Primary.Name);
    }

    [Fact]
    public async Task Budget_RefusesAtTheLimit_WhenConfigured_AndResetsAtMidnightUtc()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 23, 59, 0, TimeSpan.Zero));
        (CostAwareStrategy strategy, ChatOptions alice) = await RefusingDailyBudget(time, spent: 1m);

        BudgetExceededException ex = await Assert.ThrowsAsync<BudgetExceededException>(() => Decide(strategy, 0.5, alice));
        Assert.Equal("The daily budget for user 'alice' is spent (1 of 1); it resets at 2026-11-25T00:00:00.0000000+00:00.", ex.Message);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), ex.ResetsAt);

        time.Advance(TimeSpan.FromMinutes(2)); // past midnight UTC: a new day, a new budget
        Assert.Equal("economy", (await Decide(strategy, 0.5, alice))!.Primary.Name);
    }

    [Fact]
    public async Task Budget_WithRoomForNoCandidate_RefusesNamingTheCheapestReservation()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        (CostAwareStrategy strategy, ChatOptions alice) = await RefusingDailyBudget(time, spent: 0.999999m);

        BudgetExceededException ex = await Assert.ThrowsAsync<BudgetExceededException>(() => Decide(strategy, 0.5, alice));

        // Less is left than any candidate's reservation: the estimate named is the cheapest of them.
        var options = new CostAwareOptions();
        var request = new RoutingRequest("hi", alice);
        decimal[] reservations = [.. RouteCandidates.All(Tiers()).Targets.Select(t => options.ReservationEstimate(request, t.Profile))];
        Assert.All(reservations, r => Assert.True(r > 1m - 0.999999m));
        Assert.Equal(reservations.Min(), ex.EstimatedCost);
    }

    [Theory]
    [InlineData("2026-01-31T23:59:59Z", "2026-01", "2026-02-01T00:00:00Z")]
    [InlineData("2026-02-01T00:00:00Z", "2026-02", "2026-03-01T00:00:00Z")]
    [InlineData("2028-02-29T12:00:00Z", "2028-02", "2028-03-01T00:00:00Z")]
    [InlineData("2026-12-31T23:00:00-02:00", "2027-01", "2027-02-01T00:00:00Z")]
    public void MonthlyWindows_FollowUtcCalendarMonths(string now, string window, string end)
    {
        var budget = new BudgetOptions { Period = BudgetPeriod.Month, Limit = 1 };
        DateTimeOffset at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"llmrouting:budget:tenant:acme:{window}", budget.KeyAt("acme", at));
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), budget.WindowAt(at).End);
    }

    [Fact]
    public async Task SpendIsRecordedAfterEachRequest_ThroughDI()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmRouter(r => r
            .AddTarget("premium", new TestChatClient("premium"), t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", new TestChatClient("economy"), t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("economy")
            .UseCostAware(o => o.Budgets.Add(new BudgetOptions { ScopeKey = "tenant", Period = BudgetPeriod.Month, Limit = 0.01m, RefuseAtLimit = true })));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        var acme = new ChatOptions { AdditionalProperties = new() { ["tenant"] = "acme" } };

        // Each economy answer costs 0.00045 (1 000 in, 500 out). Each call first reserves its estimate (9 input tokens and
        // the 500 expected output tokens: 0.00030135), so after 22 answers (0.0099 spent) the next estimate no longer fits.
        int served = 0;
        await Assert.ThrowsAsync<BudgetExceededException>(async () =>
        {
            while (served < 100)
            {
                await chat.GetResponseAsync("What are your hours?", acme);
                served++;
            }
        });

        Assert.Equal(22, served);
        IBudgetStore store = provider.GetRequiredService<IBudgetStore>();
        Assert.Equal(new BudgetBalance(22 * 0.00045m, 0m), await store.GetBalanceAsync("llmrouting:budget:tenant:acme:2026-11"));
    }

    [Fact]
    public void BadOptions_AreRejectedWithTheFieldName()
    {
        Assert.Equal(["CostAware:Budgets[0]:Limit must be positive (was 0)."], Assert.Throws<OptionsValidationException>(() => new CostAwareStrategy(Budget(b => b.Limit = 0))).Failures);
        Assert.Equal(["CostAware:Budgets[0]:DegradeAt must be greater than 0 and at most 1 (was 1.5)."], Assert.Throws<OptionsValidationException>(() => new CostAwareStrategy(Budget(b => b.DegradeAt = 1.5))).Failures);
        var options = new CostAwareOptions();
        options.TierQuality[QualityTier.Premium] = 1.2;
        Assert.Equal(["CostAware:TierQuality[Premium] must be from 0 to 1 (was 1.2)."], Assert.Throws<OptionsValidationException>(() => new CostAwareStrategy(options)).Failures);

        static CostAwareOptions Budget(Action<BudgetOptions> change)
        {
            var budget = new BudgetOptions { Limit = 1 };
            change(budget);
            var o = new CostAwareOptions();
            o.Budgets.Add(budget);
            return o;
        }
    }
}
