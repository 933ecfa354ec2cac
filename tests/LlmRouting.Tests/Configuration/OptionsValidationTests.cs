using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Accounting;
using LlmRouting.Caching;
using LlmRouting.Costs;
using LlmRouting.Learning;
using LlmRouting.Resilience;
using LlmRouting.Statistics;
using LlmRouting.Strategies;

namespace LlmRouting.Tests.Configuration;

/// <summary>
/// Every options class configured in a <c>Use…</c> call is checked when the router is built, through the one helper
/// (DataAnnotations and the options' own cross-field rules), and fails with <see cref="OptionsValidationException"/>
/// naming the field. Each table row is one mistake and the exact message a user reads.
/// </summary>
public class OptionsValidationTests
{
    private static readonly Dictionary<string, Func<LlmRouterBuilder, LlmRouterBuilder>> Mistakes = new()
    {
        ["ExactCache.Expiration"] = r => r.UseExactCache(o => o.Expiration = TimeSpan.Zero),
        ["ExactCache.LocalExpiration"] = r => r.UseExactCache(o => o.LocalExpiration = TimeSpan.FromSeconds(-1)),
        ["LoadTracking.Smoothing"] = r => r.UseLoadTracking(o => o.Smoothing = 0),
        ["LoadTracking.MinSamples"] = r => r.UseLoadTracking(o => o.MinSamples = -1),
        ["WeightedSplit.NoWeights"] = r => r.UseWeightedSplit(_ => { }),
        ["WeightedSplit.Negative"] = r => r.UseWeightedSplit(o => (o.Weights["premium"], o.Weights["economy"]) = (-1, 2)),
        ["WeightedSplit.ZeroTotal"] = r => r.UseWeightedSplit(o => o.Weights["premium"] = 0),
        ["ConsistentHash.Key"] = r => r.UseConsistentHashing(o => o.Key = " "),
        ["ConsistentHash.VirtualNodes"] = r => r.UseConsistentHashing(o => o.VirtualNodes = 0),
        ["Fallback.MaxTargets"] = r => r.UseFallback(o => o.MaxTargets = 0),
        ["Fallback.TotalTimeout"] = r => r.UseFallback(o => o.TotalTimeout = TimeSpan.Zero),
        ["Fallback.ShouldFallOver"] = r => r.UseFallback(o => o.ShouldFallOver = null!),
        ["Resilience.MaxRetryAfter"] = r => r.UseFallback(o => o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(-1)),
        ["Resilience.IsTransient"] = r => r.UseFallback(o => o.Resilience.IsTransient = null!),
        ["Resilience.RetryAttempts"] = r => r.UseFallback(o => o.Resilience.Retry.MaxRetryAttempts = 0),
        ["Polly.FailureRatio"] = r => r.UseFallback(o => o.Resilience.CircuitBreaker.FailureRatio = 2),
        ["Polly.MinimumThroughput"] = r => r.UseFallback(o => o.Resilience.CircuitBreaker.MinimumThroughput = 1),
        ["Polly.AttemptTimeout"] = r => r.UseFallback(o => o.Resilience.AttemptTimeout.Timeout = TimeSpan.Zero),
        ["Continuation.MaxContinuations"] = r => r.UseFallback(o => o.Continuation.MaxContinuations = 0),
        ["Continuation.IdleTimeout"] = r => r.UseFallback(o => o.Continuation.IdleTimeout = TimeSpan.FromSeconds(-1)),
        ["Continuation.Instruction"] = r => r.UseFallback(o => o.Continuation.Instruction = " "),
        ["Hedging.MaxHedgedAttempts"] = r => r.UseFallback(o => o.Hedging.MaxHedgedAttempts = 11),
        ["Hedging.Percentile"] = r => r.UseFallback(o => o.Hedging.Percentile = 0),
        ["Hedging.MinimumSamples"] = r => r.UseFallback(o => o.Hedging.MinimumSamples = 300),
        ["Hedging.InitialDelay"] = r => r.UseFallback(o => o.Hedging.InitialDelay = TimeSpan.Zero),
        ["Hedging.MinimumDelay"] = r => r.UseFallback(o => o.Hedging.MinimumDelay = TimeSpan.FromMilliseconds(-1)),
        ["Escalation.RefusalSearchLength"] = r => r.UseFallback().UseEscalation(o => o.RefusalSearchLength = 0),
        ["Escalation.RefusalPhrase"] = r => r.UseFallback().UseEscalation(o => o.RefusalPhrases.Add(" ")),
        ["Escalation.MaxHeldCharacters"] = r => r.UseFallback().UseEscalation(o => (o.EvaluateStreams, o.MaxHeldCharacters) = (true, 0)),
        ["Escalation.HoldWithoutStreams"] = r => r.UseFallback().UseEscalation(o => o.MaxHeldCharacters = 100),
        ["CostAware.Margin"] = r => r.UseCostAware(o => o.Margin = 2),
        ["CostAware.TierQuality"] = r => r.UseCostAware(o => o.TierQuality[QualityTier.Premium] = 1.5),
        ["CostAware.ReservationTimeout"] = r => r.UseCostAware(o => o.ReservationTimeout = TimeSpan.FromDays(2)),
        ["Budget.Limit"] = r => r.UseCostAware(o => o.Budgets.Add(new BudgetOptions { Limit = 0 })),
        ["Budget.DegradeAt"] = r => r.UseCostAware(o => o.Budgets.Add(new BudgetOptions { Limit = 1, DegradeAt = 0 })),
        ["Budget.ScopeKey"] = r => r.UseCostAware(o => o.Budgets.Add(new BudgetOptions { Limit = 1, ScopeKey = " " })),
        ["Embedding.TopK"] = r => r.UseEmbeddingRoutes(o => o.TopK = 0),
        ["Embedding.MaxEmbeddedCharacters"] = r => r.UseEmbeddingRoutes(o => o.MaxEmbeddedCharacters = 255),
        ["Embedding.Threshold"] = r => r.UseEmbeddingRoutes(o => o.Threshold = 2),
        ["Embedding.RouteThreshold"] = r => r.UseEmbeddingRoutes(o => o.AddRoute("premium", ["hard maths"], threshold: 3)),
        ["Judge.Timeout"] = r => r.UseJudge(new TestChatClient("judge"), configure: o => o.Timeout = TimeSpan.Zero),
        ["Judge.TargetsKey"] = r => r.UseJudge(new TestChatClient("judge"), configure: o => o.Targets["pre mium"] = "hard questions"),
        ["Judge.UnknownTarget"] = r => r.UseJudge(o => o.Target = "nowhere"),
        ["Bandit.ExplorationRate"] = r => r.UseBandit(o => o.ExplorationRate = 2),
        ["Bandit.KeyPrefix"] = r => r.UseBandit(o => o.KeyPrefix = " "),
        ["OutcomeFeedback.Capacity"] = r => r.UseOutcomeFeedback(o => o.Capacity = 0),
        ["OutcomeFeedback.RetentionPeriod"] = r => r.UseOutcomeFeedback(o => o.RetentionPeriod = TimeSpan.FromSeconds(-1)),
    };

    public static TheoryData<string, string> BuildMistakes => new()
    {
        { "ExactCache.Expiration", "ExactCache:Expiration must be positive (was 00:00:00)." },
        { "ExactCache.LocalExpiration", "ExactCache:LocalExpiration must be positive (was -00:00:01)." },
        { "LoadTracking.Smoothing", "LoadTracking:Smoothing must be greater than 0 and at most 1 (was 0)." },
        { "LoadTracking.MinSamples", "LoadTracking:MinSamples must not be negative (was -1)." },
        { "WeightedSplit.NoWeights", "WeightedSplit:Weights must name at least one target." },
        { "WeightedSplit.Negative", "WeightedSplit:Weights['premium'] must be a finite, non-negative number (was -1)." },
        { "WeightedSplit.ZeroTotal", "WeightedSplit:Weights must have a positive total." },
        { "ConsistentHash.Key", "ConsistentHash:Key must not be empty." },
        { "ConsistentHash.VirtualNodes", "ConsistentHash:VirtualNodes must be from 1 to 10000 (was 0)." },
        { "Fallback.MaxTargets", "Fallback:MaxTargets must be at least 1 (was 0)." },
        { "Fallback.TotalTimeout", "Fallback:TotalTimeout must be positive (was 00:00:00)." },
        { "Fallback.ShouldFallOver", "Fallback:ShouldFallOver is required." },
        { "Resilience.MaxRetryAfter", "Fallback:Resilience:MaxRetryAfter must be from 00:00:00 to 01:00:00 (was -00:00:01)." },
        { "Resilience.IsTransient", "Fallback:Resilience:IsTransient is required." },
        { "Resilience.RetryAttempts", "Fallback:Resilience:Retry:MaxRetryAttempts must be at least 1 (was 0)." },
        { "Polly.FailureRatio", "Fallback:Resilience:CircuitBreaker:FailureRatio must be from 0 to 1 (was 2)." },
        { "Polly.MinimumThroughput", "Fallback:Resilience:CircuitBreaker:MinimumThroughput must be at least 2 (was 1)." },
        { "Polly.AttemptTimeout", "Fallback:Resilience:AttemptTimeout:Timeout must be from 00:00:00.0100000 to 1.00:00:00 (was 00:00:00)." },
        { "Continuation.MaxContinuations", "Fallback:Continuation:MaxContinuations must be at least 1 (was 0)." },
        { "Continuation.IdleTimeout", "Fallback:Continuation:IdleTimeout must be positive (was -00:00:01)." },
        { "Continuation.Instruction", "Fallback:Continuation:Instruction must not be empty." },
        { "Hedging.MaxHedgedAttempts", "Fallback:Hedging:MaxHedgedAttempts must be from 1 to 10 (was 11)." },
        { "Hedging.Percentile", "Fallback:Hedging:Percentile must be greater than 0 and at most 1 (was 0)." },
        { "Hedging.MinimumSamples", "Fallback:Hedging:MinimumSamples must be at most SampleSize (256) (was 300)." },
        { "Hedging.InitialDelay", "Fallback:Hedging:InitialDelay must be positive (was 00:00:00)." },
        { "Hedging.MinimumDelay", "Fallback:Hedging:MinimumDelay must not be negative (was -00:00:00.0010000)." },
        { "Escalation.RefusalSearchLength", "Escalation:RefusalSearchLength must be at least 1 (was 0)." },
        { "Escalation.RefusalPhrase", "Escalation:RefusalPhrases[10] must not be empty." },
        { "Escalation.MaxHeldCharacters", "Escalation:MaxHeldCharacters must be at least 1 (was 0)." },
        { "Escalation.HoldWithoutStreams", "Escalation:MaxHeldCharacters bounds the hold-back of streamed answers: it needs EvaluateStreams = true." },
        { "CostAware.Margin", "CostAware:Margin must be from -1 to 1 (was 2)." },
        { "CostAware.TierQuality", "CostAware:TierQuality[Premium] must be from 0 to 1 (was 1.5)." },
        { "CostAware.ReservationTimeout", "CostAware:ReservationTimeout must be greater than 00:00:00 and at most 1.00:00:00 (was 2.00:00:00)." },
        { "Budget.Limit", "CostAware:Budgets[0]:Limit must be positive (was 0)." },
        { "Budget.DegradeAt", "CostAware:Budgets[0]:DegradeAt must be greater than 0 and at most 1 (was 0)." },
        { "Budget.ScopeKey", "CostAware:Budgets[0]:ScopeKey must not be empty." },
        { "Embedding.TopK", "Embedding:TopK must be at least 1 (was 0)." },
        { "Embedding.MaxEmbeddedCharacters", "Embedding:MaxEmbeddedCharacters must be at least 256 (was 255)." },
        { "Embedding.Threshold", "Embedding:Threshold must be from -1 to 1 (was 2)." },
        { "Embedding.RouteThreshold", "Embedding:Routes[0]:Threshold must be from -1 to 1 (was 3)." },
        { "Judge.Timeout", "LlmRouting:Judge:Timeout must be positive (was 00:00:00)." },
        { "Judge.TargetsKey", "LlmRouting:Judge:Targets['pre mium'] must be a target name without spaces." },
        { "Judge.UnknownTarget", "LlmRouting:Judge:Target 'nowhere' is not a configured target (known targets: premium, economy)." },
        { "Bandit.ExplorationRate", "LlmRouting:Bandit:ExplorationRate must be from 0 to 1 (was 2)." },
        { "Bandit.KeyPrefix", "LlmRouting:Bandit:KeyPrefix must not be empty." },
        { "OutcomeFeedback.Capacity", "OutcomeFeedback:Capacity must be positive (was 0)." },
        { "OutcomeFeedback.RetentionPeriod", "OutcomeFeedback:RetentionPeriod must be positive (was -00:00:01)." },
    };

    [Theory]
    [MemberData(nameof(BuildMistakes))]
    public void AnOutOfRangeOption_FailsTheBuild_NamingTheField(string mistake, string message)
    {
        LlmRouterBuilder builder = Mistakes[mistake](Router());

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => builder.Build());

        Assert.Equal([message], error.Failures);
    }

    [Fact]
    public void TheUseCall_DoesNotThrow_TheBuildReportsEveryMistakeAtOnce()
    {
        LlmRouterBuilder builder = Router()
            .UseExactCache(o => o.Expiration = TimeSpan.Zero)
            .UseFallback(o => o.MaxTargets = 0);

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => builder.Build());

        Assert.Equal(["ExactCache:Expiration must be positive (was 00:00:00).", "Fallback:MaxTargets must be at least 1 (was 0)."], error.Failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryTableRow_HasAMessage()
    {
        Assert.Equal(Mistakes.Keys.Order(StringComparer.Ordinal), BuildMistakes.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, string> ConstructorMistakes => new()
    {
        { "WeightedSplit", "WeightedSplit:Weights must name at least one target." },
        { "ConsistentHash", "ConsistentHash:VirtualNodes must be from 1 to 10000 (was 0)." },
        { "LoadTracker", "LoadTracking:Smoothing must be greater than 0 and at most 1 (was 1.5)." },
        { "ExactCache", "ExactCache:LocalExpiration must be positive (was 00:00:00)." },
        { "SemanticCache.Threshold", "SemanticCache:SimilarityThreshold must be greater than 0 and at most 1 (was 1.5)." },
        { "SemanticCache.MaxEntries", "SemanticCache:MaxEntries must be at least 1 (was 0)." },
        { "SemanticCache.TimeToLive", "SemanticCache:TimeToLive must be positive (was 00:00:00)." },
        { "UseSemanticCache", "SemanticCache:SimilarityThreshold must be greater than 0 and at most 1 (was 0)." },
        { "Judge", "LlmRouting:Judge:MaxOutputTokens must be at least 1 (was 0)." },
        { "Bandit", "LlmRouting:Bandit:PriorWeight must be a finite, positive number (was 0)." },
        { "RouteFeedback", "OutcomeFeedback:Capacity must be positive (was -1)." },
        { "CostAware", "CostAware:ExpectedOutputTokens must not be negative (was -1)." },
        { "BudgetReservingChatClient", "CostAware:Budgets[0]:Limit must be positive (was -5)." },
        { "Embedding", "Embedding:Threshold must be from -1 to 1 (was -2)." },
    };

    [Theory]
    [MemberData(nameof(ConstructorMistakes))]
    public void ComponentsBuiltWithoutARouter_CheckTheirOptionsInTheConstructor(string component, string message)
    {
        var inner = new TestChatClient("inner");
        using ServiceProvider services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        HybridCache cache = services.GetRequiredService<HybridCache>();
        Action create = component switch
        {
            "WeightedSplit" => () => _ = new WeightedSplitStrategy(new WeightedSplitOptions()),
            "ConsistentHash" => () => _ = new ConsistentHashStrategy(["a"], new ConsistentHashOptions { VirtualNodes = 0 }),
            "LoadTracker" => () => _ = new TargetLoadTracker(new LoadTrackingOptions { Smoothing = 1.5 }),
            "ExactCache" => () => _ = new ExactCacheChatClient(inner, cache, "inner", options: new ExactCacheOptions { LocalExpiration = TimeSpan.Zero }),
            "SemanticCache.Threshold" => () => _ = new SemanticCacheChatClient(inner, options: new SemanticCacheOptions { SimilarityThreshold = 1.5 }),
            "SemanticCache.MaxEntries" => () => _ = new SemanticCacheChatClient(inner, options: new SemanticCacheOptions { MaxEntries = 0 }),
            "SemanticCache.TimeToLive" => () => _ = new SemanticCacheChatClient(inner, options: new SemanticCacheOptions { TimeToLive = TimeSpan.Zero }),
            "Judge" => () => _ = new JudgeStrategy(inner, new JudgeOptions { MaxOutputTokens = 0 }),
            "Bandit" => () => _ = new BanditStrategy(new InMemoryRoutingStatisticsStore(), options: new BanditOptions { PriorWeight = 0 }),
            "RouteFeedback" => () => _ = new RouteFeedback(options: new RouteFeedbackOptions { Capacity = -1 }),
            "CostAware" => () => _ = new CostAwareStrategy(new CostAwareOptions { ExpectedOutputTokens = -1 }),
            "BudgetReservingChatClient" => () => _ = new BudgetReservingChatClient(inner, new TargetProfile(), WithBudget(new BudgetOptions { Limit = -5 }), new InMemoryBudgetStore()),
            "Embedding" => () => _ = new EmbeddingRoutingStrategy(new EmbeddingRoutingOptions { Threshold = -2 }),
            _ => () => new ChatClientBuilder(inner).UseSemanticCache(configure: o => o.SimilarityThreshold = 0),
        };

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(create);

        Assert.Equal([message], error.Failures);
    }

    private static CostAwareOptions WithBudget(BudgetOptions budget)
    {
        var options = new CostAwareOptions();
        options.Budgets.Add(budget);
        return options;
    }

    private static LlmRouterBuilder Router() => new LlmRouterBuilder()
        .AddTarget("premium", new TestChatClient("premium"))
        .AddTarget("economy", new TestChatClient("economy"))
        .Default("economy");
}
