using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

/// <summary>Configuration never silently drops: every mistake fails start-up with its path, the accepted values and the nearest known key.</summary>
public class ConfigurationMistakesTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["LlmRouting:Default"] = "economy",
        ["LlmRouting:Targets:0:Name"] = "premium",
        ["LlmRouting:Targets:0:InputPricePerMillion"] = "2.50",
        ["LlmRouting:Targets:0:Tier"] = "Premium",
        ["LlmRouting:Targets:1:Name"] = "economy",
        ["LlmRouting:Targets:1:InputPricePerMillion"] = "0.15",
        ["LlmRouting:Targets:1:Tier"] = "Economy",
        ["LlmRouting:Rules:0:Name"] = "long",
        ["LlmRouting:Rules:0:Target"] = "premium",
        ["LlmRouting:Rules:0:MinTokens"] = "2000",
    };

    public static TheoryData<string, string, string> Mistakes => new()
    {
        { "LlmRouting:Targets:0:Tier", "Standrad", "LlmRouting:Targets[0] ('premium'):Tier 'Standrad' is not one of Economy, Standard, Premium. Did you mean 'Standard'?" },
        { "LlmRouting:Targets:0:Capabilities", "Tools, Vison", "LlmRouting:Targets[0] ('premium'):Capabilities 'Tools, Vison' is not valid: 'Vison' is not one of None, Tools, Vision, JsonSchema, Streaming, Reasoning, Audio (combine several with commas, e.g. \"Tools, Vision\"). Did you mean 'Vision'?" },
        { "LlmRouting:Targets:1:InputPricePerMillion", "0,15", "LlmRouting:Targets[1] ('economy'):InputPricePerMillion '0,15' is not a valid number; use digits with '.' as the decimal separator (e.g. 0.15)." },
        { "LlmRouting:Targets:1:InputPrice", "0.15", "LlmRouting:Targets[1] ('economy'):InputPrice is not a known setting (known: Name, ClientKey, Model, ModelId, InputPricePerMillion, OutputPricePerMillion, CachedInputPricePerMillion, ContextWindow, MaxOutputTokens, Capabilities, Tags, Tier). Did you mean 'InputPricePerMillion'?" },
        { "LlmRouting:Targets:0:ContextWindow", "128k", "LlmRouting:Targets[0] ('premium'):ContextWindow '128k' is not a valid whole number (e.g. 16000)." },
        { "LlmRouting:Targets:1:Tags", "eu", "LlmRouting:Targets[1] ('economy'):Tags must be a list (in JSON [ \"a\", \"b\" ]), not the single value 'eu'." },
        { "LlmRouting:Targets:premium:Name", "premium", "LlmRouting:Targets:premium: a list's items are numbered 0, 1, …; 'premium' is not an index." },
        { "LlmRouting:Targets:2:Name", "premium ", "LlmRouting:Targets[2] ('premium '):Name has leading or trailing white space." },
        { "LlmRouting:Defualt", "economy", "LlmRouting:Defualt is not a known setting (known: Targets, Rules, Strategies, Default, Baseline, CallerModelIds, ModelCatalogFiles). Did you mean 'Default'?" },
        { "LlmRouting:Rules:0:RegexTimeout", "50ms", "LlmRouting:Rules[0] ('long'):RegexTimeout '50ms' is not a valid time span; use [d.]hh:mm:ss[.fffffff] (e.g. 00:00:00.050 for 50 ms)." },
        { "LlmRouting:Rules:0:MaxTokens", "100", "LlmRouting:Rules[0] ('long'):MinTokens (2000) exceeds MaxTokens (100); the rule could never match." },
        { "LlmRouting:Rules:0:MinMessages", "-1", "LlmRouting:Rules[0] ('long'):MinMessages must not be negative (was -1)." },
        { "LlmRouting:Rules:0:Tasks:0", "Cod", "LlmRouting:Rules[0] ('long'):Tasks[0] 'Cod' is not one of Chat, Code, Math, Reasoning, Translation, Summarization, Extraction, Classification, CreativeWriting. Did you mean 'Code'?" },
        { "LlmRouting:Rules:0:HasPii", "yes", "LlmRouting:Rules[0] ('long'):HasPii 'yes' is not a valid boolean; use true or false." },
        { "LlmRouting:Rules:0:Metadata:tier:level", "free", "LlmRouting:Rules[0] ('long'):Metadata:tier must be a single value, not a section." },
        { "LlmRouting:Rules:0:Predicate", "x => true", "LlmRouting:Rules[0] ('long'):Predicate is not a known setting (known: Name, Target, Fallbacks, ContainsAny, ContainsAll, Regex, RegexTimeout, Metadata, Tags, MinTokens, MaxTokens, MinMessages, MaxMessages, Requires, Tasks, MinComplexity, MinRisk, HasPii, StepKinds, AgentRoles, Description)." },
        { "LlmRouting:Rules:1:Name", "long", "LlmRouting:Rules[1] ('long'):Name is a duplicate; rule names must be unique." },
        { "LlmRouting:Strategies:0", "rule", "LlmRouting:Strategies[0] 'rule' is not a registered strategy (registered: rules, classifier, cost-aware, embedding, least-in-flight, lowest-latency, power-of-two, weighted-split, consistent-hash, hybrid, adaptive, bandit, judge). Did you mean 'rules'?" },
        { "LlmRouting:Judge:Target", "economy", "LlmRouting:Judge is configured, but nothing reads it: list 'judge' or 'hybrid' in LlmRouting:Strategies, or set the strategy up in code." },
        { "LlmRouting:Bandit:ExplorationRate", "0.2", "LlmRouting:Bandit is configured, but nothing reads it: list 'bandit' in LlmRouting:Strategies, or set the strategy up in code." },
    };

    private static List<string> StartUpFailures(string key, string value, Action<LlmRouterBuilder>? configure = null)
    {
        var values = new Dictionary<string, string?>(Valid) { [key] = value };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(configure ?? (_ => { }));
        using ServiceProvider provider = services.BuildServiceProvider();
        OptionsValidationException atStart = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IStartupValidator>().Validate);
        OptionsValidationException atResolve = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Equal(atStart.Failures, atResolve.Failures);
        return [.. atStart.Failures];
    }

    [Fact]
    public void TheValidConfiguration_Starts()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(Valid).Build());
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(_ => { });
        using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        Assert.Equal(0.15m, router.Registry["economy"].Profile.InputPricePerMillion);
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void AMistake_FailsStartUp_WithItsExactMessage(string key, string value, string message)
    {
        List<string> failures = StartUpFailures(key, value);

        Assert.Contains(message, failures);
    }

    [Theory]
    [InlineData("LlmRouting:Targets:1:Tier", "Standrad")]
    [InlineData("LlmRouting:Targets:1:Capabilities", "Tools, Vison")]
    [InlineData("LlmRouting:Targets:1:InputPricePerMillion", "0,15")]
    public void AValueThatFailsToConvert_DoesNotDropItsItem_SoNoOtherFieldIsBlamed(string key, string value)
    {
        // The binder used to drop the whole target: then "Default 'economy' is not a configured target" was all one saw.
        string failure = Assert.Single(StartUpFailures(key, value));

        Assert.StartsWith(key.Replace("LlmRouting:Targets:1", "LlmRouting:Targets[1] ('economy')", StringComparison.Ordinal), failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AStrategySection_IsCheckedStrictly_WhenItsStrategyIsUsed()
    {
        List<string> failures = StartUpFailures("LlmRouting:Judge:Timout", "00:00:01", r => r.UseJudge(new TestChatClient("judge")));

        Assert.Contains(failures, f => f.StartsWith("LlmRouting:Judge:Timout is not a known setting (known: ", StringComparison.Ordinal) && f.EndsWith(" Did you mean 'Timeout'?", StringComparison.Ordinal));
    }

    [Fact]
    public void AHybridStageSection_IsCheckedStrictly()
    {
        List<string> failures = StartUpFailures("LlmRouting:CostAware:PremiumTreshold", "0.7", r => r.UseHybridRouting());

        Assert.Contains(failures, f => f.StartsWith("LlmRouting:CostAware:PremiumTreshold is not a known setting (known: ", StringComparison.Ordinal) && f.EndsWith(" Did you mean 'PremiumThreshold'?", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("circuit-ratio", "Fallback:Resilience:CircuitBreaker:FailureRatio must be from 0 to 1 (was 2).")]
    [InlineData("attempt-timeout", "Fallback:Resilience:AttemptTimeout:Timeout must be from 00:00:00.0100000 to 1.00:00:00 (was 00:00:00.0010000).")]
    [InlineData("retry-after", "Fallback:Resilience:MaxRetryAfter must be from 00:00:00 to 01:00:00 (was 02:00:00).")]
    public void PollyValues_FailTheBuild_WithOurMessages(string mistake, string message)
    {
        LlmRouterBuilder builder = new LlmRouterBuilder().AddTarget("premium", new TestChatClient()).Default("premium").UseFallback(f =>
        {
            _ = mistake switch
            {
                "circuit-ratio" => f.Resilience.CircuitBreaker.FailureRatio = 2,
                "attempt-timeout" => (f.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(1)).TotalSeconds,
                _ => (f.Resilience.MaxRetryAfter = TimeSpan.FromHours(2)).TotalSeconds,
            };
        });

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => builder.Build());

        Assert.Equal([message], ex.Failures);
    }
}

public class OptionsStartUpValidationTests
{
    private static OptionsValidationException StartUpFails(Action<LlmRouterBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => configure(r.AddTarget("premium", new TestChatClient()).Default("premium")));
        using ServiceProvider provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IStartupValidator>().Validate);
    }

    [Fact]
    public void OutcomeFeedbackOptions_AreValidatedAtStartUp()
    {
        OptionsValidationException ex = StartUpFails(r => r.UseOutcomeFeedback(f => f.Capacity = 0));

        Assert.Contains("OutcomeFeedback:Capacity must be positive (was 0).", ex.Failures);
    }

    [Fact]
    public void BanditOptions_AreValidatedAtStartUp()
    {
        OptionsValidationException ex = StartUpFails(r => r.UseBandit(b => b.ExplorationRate = 2));

        Assert.Contains("LlmRouting:Bandit:ExplorationRate must be from 0 to 1 (was 2).", ex.Failures);
    }

    [Fact]
    public void ClassifierOptions_FromConfiguration_AreCheckedStrictlyAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouting:Classifier:Treshold"] = "0.4",
        }).Build());
        services.AddLlmRouter(r => r.AddTarget("premium", new TestChatClient(), t => t.Tier(QualityTier.Premium)).Default("premium").UseClassifier());
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(provider.GetRequiredService<IStartupValidator>().Validate);

        Assert.Contains(ex.Failures, f => f.StartsWith("LlmRouting:Classifier:Treshold is not a known setting (known: ", StringComparison.Ordinal) && f.EndsWith(" Did you mean 'Threshold'?", StringComparison.Ordinal));
    }
}
