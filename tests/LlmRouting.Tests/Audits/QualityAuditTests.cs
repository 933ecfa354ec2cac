using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Accounting;
using LlmRouting.Audits;
using LlmRouting.Learning;

namespace LlmRouting.Tests;

public class QualityAuditTests
{
    [Fact]
    public async Task AnAuditedAnswer_IsComparedWithTheReference_AndTheVerdictIsALabel()
    {
        var comparer = new FixedComparer(AuditVerdict.ReferenceBetter);
        using ServiceProvider provider = Build(o => o.SampleRate = 1, comparer);
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        Task<QualityAuditEventArgs> ended = NextAudit(auditor);

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Prove that there are infinitely many primes.");
        QualityAuditEventArgs audit = await ended.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("economy", response.GetRouteInfo()!.Target);
        Assert.Equal(("completed", "premium", AuditVerdict.ReferenceBetter), (audit.Result, audit.Reference, audit.Verdict));
        Assert.Equal("economy answers", comparer.Last!.ServedAnswer);
        Assert.Equal("premium answers", comparer.Last.ReferenceAnswer);
        RoutingLabel label = Assert.Single((await provider.GetRequiredService<IRoutingLabelStore>().ReadAsync(null, 10)).Labels);
        Assert.Equal((RoutingLabelSource.Audit, "economy", "premium", 1.0), (label.Source, label.Target, label.Reference, label.PremiumNeed!.Value));
        Assert.Null(label.Text);

        QualityAuditSummary summary = auditor.GetSummary();
        Assert.Equal((1, 1, 0), (summary.Enqueued, summary.Completed, summary.Totals.Matched));
        Assert.Equal(0, summary.MatchRate);
        // The audit cost (premium: 1000 in, 500 out at 2.50/10 per million = 0.0075) is accounted apart from the request's.
        Assert.Equal(0.0075m, summary.Totals.Cost);
        RoutingLedgerSummary ledger = provider.GetRequiredService<IRoutingLedger>().GetSummary();
        Assert.Equal(1, ledger.Audits.Audits);
        Assert.Equal(0.0075m, ledger.AuditsByTarget["economy"].Cost);
        Assert.Equal(1, ledger.AuditsByTask.Values.Single().Audits);
        Assert.Equal(response.GetRouteInfo()!.Cost, ledger.Totals.Cost);
    }

    [Fact]
    public async Task TheCheaperAnswerMatching_CountsTowardTheMatchRate()
    {
        using ServiceProvider provider = Build(o => o.SampleRate = 1, new FixedComparer(AuditVerdict.Tie));
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        Task<QualityAuditEventArgs> ended = NextAudit(auditor);

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("What is 2 + 2?");
        await ended.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, auditor.GetSummary().MatchRate);
        Assert.Equal(1, auditor.GetSummary().ByTarget["economy"].MatchRate);
        RoutingLabel label = Assert.Single((await provider.GetRequiredService<IRoutingLabelStore>().ReadAsync(null, 10)).Labels);
        Assert.Equal(0, label.PremiumNeed);
    }

    [Fact]
    public async Task NoSample_NoAudit()
    {
        var comparer = new FixedComparer(AuditVerdict.Tie);
        using ServiceProvider provider = Build(o => o.SampleRate = 0, comparer);

        for (int i = 0; i < 20; i++)
        {
            await provider.GetRequiredService<IChatClient>().GetResponseAsync($"question {i}");
        }

        Assert.Equal(0, provider.GetRequiredService<QualityAuditor>().GetSummary().Sampled);
        Assert.Null(comparer.Last);
    }

    [Fact]
    public async Task TheDailySpendCap_StopsAudits_AndCountsThem()
    {
        using ServiceProvider provider = Build(o => { o.SampleRate = 1; o.DailySpendCap = 0; }, new FixedComparer(AuditVerdict.Tie));

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("What is 2 + 2?");

        QualityAuditSummary summary = provider.GetRequiredService<QualityAuditor>().GetSummary();
        Assert.Equal((1, 0), (summary.Capped, summary.Enqueued));
    }

    [Fact]
    public async Task ASensitiveRequest_IsNotAuditedWithoutAnAllowedReference()
    {
        var premium = new TestChatClient("premium");
        using ServiceProvider provider = Build(o => o.SampleRate = 1, new FixedComparer(AuditVerdict.Tie), premium);
        var options = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tags] = "sensitive" } };

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("My card is 4111 1111 1111 1111, is it valid?", options);

        Assert.Equal(1, provider.GetRequiredService<QualityAuditor>().GetSummary().Skipped);
        Assert.Equal(0, premium.Calls);
    }

    [Theory]
    [InlineData("A", AuditVerdict.ServedBetter)]
    [InlineData(" b.\n", AuditVerdict.ReferenceBetter)]
    [InlineData("tie", AuditVerdict.Tie)]
    public void TheJudgesReply_IsParsedStrictly(string reply, AuditVerdict expected) =>
        Assert.Equal(expected, JudgeAnswerComparer.Parse(reply));

    [Theory]
    [InlineData("Answer A is better")]
    [InlineData("")]
    [InlineData("AB")]
    public void AReplyOutsideTheContract_Throws_WithoutQuotingIt(string reply)
    {
        var error = Assert.Throws<FormatException>(() => JudgeAnswerComparer.Parse(reply));
        Assert.DoesNotContain("better", error.Message.Replace("is not A, B or TIE", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheJudge_IsAskedAPairwiseQuestion_WithATimeout()
    {
        var judge = new TestChatClient("judge") { GetResponseAsyncCallback = async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return new ChatResponse(); } };
        var comparer = new JudgeAnswerComparer(judge, null, TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await comparer.CompareAsync(new AnswerComparison([new(ChatRole.User, "q")], "a", "b", "economy", "premium"), CancellationToken.None));
        Assert.Contains("Answer A", judge.LastMessages![^1].Text, StringComparison.Ordinal);
        Assert.Equal(JudgeAnswerComparer.Instructions, judge.LastMessages[0].Text);
    }

    [Theory]
    [InlineData("SampleRate")]
    [InlineData("MaxConcurrency")]
    [InlineData("QueueCapacity")]
    public void InvalidOptions_FailWhenTheRouterIsBuilt_NamingTheField(string field)
    {
        Action<QualityAuditOptions> configure = field switch
        {
            "SampleRate" => o => o.SampleRate = 1.5,
            "MaxConcurrency" => o => o.MaxConcurrency = 0,
            _ => o => o.QueueCapacity = 0,
        };
        var error = Assert.Throws<OptionsValidationException>(() => Build(configure, new FixedComparer(AuditVerdict.Tie)).Dispose());
        Assert.Contains($"LlmRouting:QualityAudits:{field}", error.Message, StringComparison.Ordinal);
    }

    internal static Task<QualityAuditEventArgs> NextAudit(QualityAuditor auditor)
    {
        var ended = new TaskCompletionSource<QualityAuditEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        auditor.AuditEnded += (_, e) => ended.TrySetResult(e);
        return ended.Task;
    }

    private static ServiceProvider Build(Action<QualityAuditOptions> configure, IAnswerComparer comparer, TestChatClient? premium = null)
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddKeyedChatClient("premium", premium ?? new TestChatClient("premium"));
        services.AddSingleton(comparer);
        services.AddLlmRouter(r => r
            .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .Default("economy")
            .UseLedger()
            .UseQualityAudits(configure));
        ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IChatClient>();
        }
        catch
        {
            provider.Dispose();
            throw;
        }

        return provider;
    }

    private sealed class FixedComparer(AuditVerdict verdict) : IAnswerComparer
    {
        public AnswerComparison? Last { get; private set; }

        public ValueTask<AnswerComparisonResult> CompareAsync(AnswerComparison comparison, CancellationToken cancellationToken)
        {
            Last = comparison;
            return new(new AnswerComparisonResult(verdict));
        }
    }
}
