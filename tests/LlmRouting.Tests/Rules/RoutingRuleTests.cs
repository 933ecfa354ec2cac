using Microsoft.Extensions.AI;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class RoutingRuleTests
{
    private static bool Matches(RuleOptions options, RoutingRequest request)
    {
        options.Target ??= "premium";
        return RoutingRule.FromOptions(options, "test").Predicate(request);
    }

    [Theory]
    [InlineData("I got a Stack Trace from prod", true)]
    [InlineData("an EXCEPTION was thrown", true)]
    [InlineData("what are your opening hours?", false)]
    public void ContainsAny_MatchesAnyTerm_CaseInsensitively(string text, bool expected)
    {
        var options = new RuleOptions();
        options.ContainsAny.Add("stack trace");
        options.ContainsAny.Add("exception");
        Assert.Equal(expected, Matches(options, Targets.Request(text)));
    }

    [Theory]
    [InlineData("refund my order please", true)]
    [InlineData("refund please", false)]
    public void ContainsAll_RequiresEveryTerm(string text, bool expected)
    {
        var options = new RuleOptions();
        options.ContainsAll.Add("refund");
        options.ContainsAll.Add("order");
        Assert.Equal(expected, Matches(options, Targets.Request(text)));
    }

    [Fact]
    public void TextConditions_LookOnlyAtUserMessages()
    {
        var options = new RuleOptions();
        options.ContainsAny.Add("exception");
        var request = new RoutingRequest(
        [
            new ChatMessage(ChatRole.System, "Explain any exception you see."),
            new ChatMessage(ChatRole.User, "Hello there"),
        ]);
        Assert.False(Matches(options, request));
    }

    [Theory]
    [InlineData("order #12345 is late", true)]
    [InlineData("order #12 is late", false)]
    public void Regex_MatchesUserText(string text, bool expected)
    {
        var options = new RuleOptions { Regex = @"order\s+#\d{5}" };
        Assert.Equal(expected, Matches(options, Targets.Request(text)));
    }

    [Fact]
    public async Task Regex_ThatTimesOut_CountsAsNoMatch_AndTheNextRuleDecides()
    {
        // Catastrophic backtracking on purpose: (a+)+$ against "aaaa…!" with a 1 ms budget.
        var slow = new RuleOptions { Name = "slow", Target = "premium", Regex = "^(a+)+$", RegexTimeout = TimeSpan.FromMilliseconds(1) };
        var next = new RuleOptions { Name = "next", Target = "economy", MinTokens = 0 };
        var strategy = new RuleStrategy([RoutingRule.FromOptions(slow, "slow"), RoutingRule.FromOptions(next, "next")]);
        RoutingRequest request = Targets.Request(new string('a', 5_000) + "!");

        RouteDecision? decision = await strategy.DecideAsync(request, RouteCandidates.All(Targets.Registry()), default);

        Assert.NotNull(decision);
        Assert.Equal("economy", decision.Primary.Name);
        Assert.StartsWith("rule 'next'", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("free", true)]
    [InlineData("FREE", true)]
    [InlineData("pro", false)]
    public void Metadata_ComparesCaseInsensitively(string tier, bool expected)
    {
        var options = new RuleOptions();
        options.Metadata["tier"] = "free";
        Assert.Equal(expected, Matches(options, Targets.Request("hi", Targets.WithMetadata(("tier", tier)))));
    }

    [Fact]
    public void Metadata_Absent_DoesNotMatch()
    {
        var options = new RuleOptions();
        options.Metadata["tier"] = "free";
        Assert.False(Matches(options, Targets.Request("hi")));
    }

    [Theory]
    [InlineData("sensitive, eu", true)]
    [InlineData("eu", false)]
    public void Tags_FromCommaSeparatedString(string tags, bool expected)
    {
        var options = new RuleOptions();
        options.Tags.Add("sensitive");
        Assert.Equal(expected, Matches(options, Targets.Request("hi", Targets.WithMetadata(("tags", tags)))));
    }

    [Fact]
    public void Tags_FromStringSequence()
    {
        var options = new RuleOptions();
        options.Tags.Add("Sensitive");
        Assert.True(Matches(options, Targets.Request("hi", Targets.WithMetadata(("tags", new[] { "eu", "sensitive" })))));
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(4_000, true)]
    public void MinTokens_UsesTheEstimate(int chars, bool expected)
    {
        var options = new RuleOptions { MinTokens = 500 };
        Assert.Equal(expected, Matches(options, Targets.Request(new string('x', chars))));
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(4_000, false)]
    public void MaxTokens_UsesTheEstimate(int chars, bool expected)
    {
        var options = new RuleOptions { MaxTokens = 500 };
        Assert.Equal(expected, Matches(options, Targets.Request(new string('x', chars))));
    }

    [Fact]
    public void MessageCountBounds()
    {
        var conversation = new RoutingRequest(Enumerable.Range(0, 6).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"turn {i}")));
        Assert.True(Matches(new RuleOptions { MinMessages = 5 }, conversation));
        Assert.False(Matches(new RuleOptions { MaxMessages = 5 }, conversation));
        Assert.True(Matches(new RuleOptions { MaxMessages = 5 }, Targets.Request("one")));
    }

    [Fact]
    public void Requires_MatchesRequestsThatNeedTheCapability()
    {
        var options = new RuleOptions { Requires = ModelCapabilities.Tools };
        var withTools = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "answer")] };
        Assert.True(Matches(options, Targets.Request("hi", withTools)));
        Assert.False(Matches(options, Targets.Request("hi")));
    }

    [Fact]
    public void AllConditions_MustHold()
    {
        var options = new RuleOptions { MaxTokens = 1_000 };
        options.ContainsAny.Add("invoice");
        options.Metadata["tier"] = "pro";
        Assert.True(Matches(options, Targets.Request("send the invoice", Targets.WithMetadata(("tier", "pro")))));
        Assert.False(Matches(options, Targets.Request("send the invoice", Targets.WithMetadata(("tier", "free")))));
        Assert.False(Matches(options, Targets.Request("hello", Targets.WithMetadata(("tier", "pro")))));
    }

    [Fact]
    public void FromOptions_RejectsARuleWithoutCondition()
    {
        var ex = Assert.Throws<ArgumentException>(() => RoutingRule.FromOptions(new RuleOptions { Target = "premium" }, "empty"));
        Assert.StartsWith("Rule 'empty' has no condition.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_RejectsAnInvalidRegex()
    {
        var ex = Assert.Throws<ArgumentException>(() => RoutingRule.FromOptions(new RuleOptions { Target = "premium", Regex = "(unclosed" }, "bad"));
        Assert.StartsWith("Rule 'bad' has an invalid Regex:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_DescribesTheConditionsWithoutContent()
    {
        var options = new RuleOptions { Name = "free-tier", Target = "economy" };
        options.Metadata["tier"] = "free";
        options.ContainsAny.Add("secret-word");
        RoutingRule rule = RoutingRule.FromOptions(options, "x");
        Assert.Equal("rule 'free-tier' (contains any of 1 term, tier=free)", rule.Reason);
        Assert.DoesNotContain("secret-word", rule.Reason, StringComparison.Ordinal);
    }
}
