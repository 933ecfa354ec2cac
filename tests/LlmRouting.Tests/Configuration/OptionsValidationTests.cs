using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;

namespace LlmRouting.Tests;

public class OptionsValidationTests
{
    private static OptionsValidationException Fails(Action<IServiceCollection> arrange, Action<LlmRouterBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        arrange(services);
        services.AddLlmRouter(configure);
        using ServiceProvider provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
    }

    private static OptionsValidationException Fails(Action<LlmRouterBuilder> configure) => Fails(_ => { }, configure);

    private static LlmRouterBuilder TwoTargets(LlmRouterBuilder r) => r.AddTarget("premium").AddTarget("economy");

    [Fact]
    public void NoTargets()
    {
        OptionsValidationException ex = Fails(r => r.Default("premium"));
        Assert.Contains("LlmRouting:Targets must contain at least one target.", ex.Failures);
    }

    [Fact]
    public void MissingDefault()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r));
        Assert.Contains("LlmRouting:Default is required: name the target that serves requests no strategy decides (known targets: premium, economy).", ex.Failures);
    }

    [Fact]
    public void UnknownDefault()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("gpt-9"));
        Assert.Contains("LlmRouting:Default 'gpt-9' is not a configured target (known targets: premium, economy).", ex.Failures);
    }

    [Fact]
    public void UnknownBaseline()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").Baseline("gpt-9"));
        Assert.Contains("LlmRouting:Baseline 'gpt-9' is not a configured target (known targets: premium, economy).", ex.Failures);
    }

    [Fact]
    public void NegativePrices()
    {
        OptionsValidationException ex = Fails(r => r.AddTarget("premium", t => t.Prices(input: -1m, output: -2m, cachedInput: -0.5m)).Default("premium"));
        Assert.Contains("LlmRouting:Targets[0] ('premium'):InputPricePerMillion must not be negative (was -1).", ex.Failures);
        Assert.Contains("LlmRouting:Targets[0] ('premium'):OutputPricePerMillion must not be negative (was -2).", ex.Failures);
        Assert.Contains("LlmRouting:Targets[0] ('premium'):CachedInputPricePerMillion must not be negative (was -0.5).", ex.Failures);
    }

    [Fact]
    public void NonPositiveLimits()
    {
        OptionsValidationException ex = Fails(r => r.AddTarget("premium", t => t.ContextWindow(0).MaxOutputTokens(-5)).Default("premium"));
        Assert.Contains("LlmRouting:Targets[0] ('premium'):ContextWindow must be positive (was 0).", ex.Failures);
        Assert.Contains("LlmRouting:Targets[0] ('premium'):MaxOutputTokens must be positive (was -5).", ex.Failures);
    }

    [Fact]
    public void MaxOutputLargerThanContextWindow()
    {
        OptionsValidationException ex = Fails(r => r.AddTarget("premium", t => t.ContextWindow(8_000).MaxOutputTokens(16_000)).Default("premium"));
        Assert.Contains("LlmRouting:Targets[0] ('premium'):MaxOutputTokens (16000) exceeds ContextWindow (8000).", ex.Failures);
    }

    [Fact]
    public void DuplicateNamesFromConfiguration()
    {
        OptionsValidationException ex = Fails(
            s => s.AddSingleton<IConfiguration>(Config(("LlmRouting:Targets:0:Name", "premium"), ("LlmRouting:Targets:1:Name", "PREMIUM"), ("LlmRouting:Default", "premium"))),
            _ => { });
        Assert.Contains("LlmRouting:Targets[1] ('PREMIUM'):Name is a duplicate; target names must be unique.", ex.Failures);
    }

    [Fact]
    public void DuplicateNamesInCode_FailImmediately()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentException>(() => services.AddLlmRouter(r => r.AddTarget("premium").AddTarget("Premium")));
        Assert.StartsWith("Target 'Premium' has already been added; target names must be unique.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingName()
    {
        OptionsValidationException ex = Fails(r => r.Configure(o => o.Targets.Add(new TargetOptions())).AddTarget("premium").Default("premium"));
        Assert.Contains("LlmRouting:Targets[0]:Name is required.", ex.Failures);
    }

    [Fact]
    public void TargetWithoutAKeyedClient()
    {
        OptionsValidationException ex = Fails(r => r.AddTarget("premium").AddTarget("local").Default("premium"));
        Assert.Contains("LlmRouting:Targets[1] ('local'): no IChatClient is registered with key 'local'. Register one with services.AddKeyedChatClient(\"local\", …), set ClientKey, or give the target a client in code.", ex.Failures);
    }

    [Fact]
    public void RuleWithUnknownTargetAndFallback()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").UseRules(rules => rules.WhenContainsAny("x").Named("typo").RouteTo("premuim", "ecnomy")));
        Assert.Contains("LlmRouting:Rules[0] ('typo'):Target 'premuim' is not a configured target (known targets: premium, economy).", ex.Failures);
        Assert.Contains("LlmRouting:Rules[0] ('typo'):Fallbacks[0] 'ecnomy' is not a configured target (known targets: premium, economy).", ex.Failures);
    }

    [Fact]
    public void RuleWithoutCondition()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").UseRules(rules => rules.Add(_ => { }).RouteTo("premium")));
        Assert.Contains("LlmRouting:Rules[0] has no condition; set one of ContainsAny, ContainsAll, Regex, Metadata, Tags, MinTokens, MaxTokens, MinMessages, MaxMessages, Requires, Tasks, MinComplexity, MinRisk, HasPii (or a predicate in code).", ex.Failures);
    }

    [Fact]
    public void RuleWithInvalidRegexOrTimeout()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").UseRules(rules => rules
            .WhenMatches("(unclosed").Named("bad-regex").RouteTo("premium")
            .WhenMatches("ok", TimeSpan.Zero).Named("bad-timeout").RouteTo("premium")));
        Assert.Contains(ex.Failures, f => f.StartsWith("LlmRouting:Rules[0] ('bad-regex'):Regex is invalid:", StringComparison.Ordinal));
        Assert.Contains("LlmRouting:Rules[1] ('bad-timeout'):RegexTimeout must be positive (was 00:00:00).", ex.Failures);
    }

    [Fact]
    public void RuleWithAnEmptyTerm()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").UseRules(rules => rules.WhenContainsAny("").Named("empty-term").RouteTo("premium")));
        Assert.Contains("LlmRouting:Rules[0] ('empty-term'): ContainsAny/ContainsAll must not contain empty terms (an empty term matches everything).", ex.Failures);
    }

    [Fact]
    public void EmptyRuleSet()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").UseRules(_ => { }));
        Assert.Contains("LlmRouting:Rules is empty, but the 'rules' strategy is enabled; add at least one rule or remove the strategy.", ex.Failures);
    }

    [Fact]
    public void UnknownStrategyName()
    {
        OptionsValidationException ex = Fails(r => TwoTargets(r).Default("economy").Configure(o => o.Strategies.Add("clasifier")));
        Assert.Contains("LlmRouting:Strategies[0] 'clasifier' is not a registered strategy (registered: rules, classifier, cost-aware, embedding, least-in-flight, lowest-latency, power-of-two, weighted-split, consistent-hash, hybrid, judge). Did you mean 'classifier'?", ex.Failures);
    }

    [Fact]
    public async Task ValidateOnStart_FailsTheHostAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r.Default("nothing"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IStartupValidator validator = provider.GetRequiredService<IStartupValidator>();

        await Task.Yield();
        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(validator.Validate);
        Assert.Contains("LlmRouting:Targets must contain at least one target.", ex.Failures);
    }

    [Fact]
    public void AddLlmRouterTwice_IsRejected()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r.AddTarget("a", new TestChatClient()).Default("a"));
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddLlmRouter(r => r.AddTarget("b", new TestChatClient()).Default("b")));
        Assert.Equal("AddLlmRouter has already been called on this service collection; configure everything in one call.", ex.Message);
    }

    internal static IConfigurationRoot Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
