using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Accounting;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public sealed class LedgerTests
{
    [Fact]
    public async Task Ledger_SumsCostSavingsTokensAndModelMix_ByTenantUserTargetAndStrategy()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseLedger());
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        for (int i = 0; i < 2; i++)
        {
            await chat.GetResponseAsync("an exception in prod", ObservabilityFixtures.For("acme", "ann"));
        }

        for (int i = 0; i < 3; i++)
        {
            await chat.GetResponseAsync("hello", ObservabilityFixtures.For("globex", "bob"));
        }

        RoutingLedgerSummary all = provider.GetRequiredService<IRoutingLedger>().GetSummary();
        Assert.Equal(5, all.Totals.Requests);
        Assert.Equal(5, all.Totals.Succeeded);
        Assert.Equal(5 * 1000, all.Totals.InputTokens);
        Assert.Equal(5 * 500, all.Totals.OutputTokens);
        Assert.Equal((2 * ObservabilityFixtures.PremiumCost) + (3 * ObservabilityFixtures.EconomyCost), all.Totals.Cost);
        Assert.Equal(5 * ObservabilityFixtures.PremiumCost, all.Totals.BaselineCost);
        Assert.Equal(3 * (ObservabilityFixtures.PremiumCost - ObservabilityFixtures.EconomyCost), all.Totals.Savings);
        Assert.Equal(2, all.ByTarget["premium"].Requests);
        Assert.Equal(3, all.ByTarget["economy"].Requests);
        Assert.Equal(0.6, all.ModelMix["economy"], 10);
        Assert.Equal(0.4, all.ModelMix["premium"], 10);
        Assert.Equal(2, all.ByStrategy[RuleStrategy.StrategyName].Requests);
        Assert.Equal(3, all.ByStrategy["default"].Requests);
        Assert.Equal(2, all.ByUser["ann"].Requests);
        Assert.Equal(3 * ObservabilityFixtures.EconomyCost, all.ByTenant["globex"].Cost);
    }

    [Fact]
    public async Task ATenantsSummary_HoldsOnlyThatTenantsRequests()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseLedger());
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        await chat.GetResponseAsync("an exception in prod", ObservabilityFixtures.For("acme"));
        await chat.GetResponseAsync("hello", ObservabilityFixtures.For("globex"));
        await chat.GetResponseAsync("hello");

        IRoutingLedger ledger = provider.GetRequiredService<IRoutingLedger>();
        RoutingLedgerSummary acme = ledger.GetSummary("acme");
        Assert.Equal(1, acme.Totals.Requests);
        Assert.Equal(ObservabilityFixtures.PremiumCost, acme.Totals.Cost);
        Assert.Equal(["acme"], acme.ByTenant.Keys);
        Assert.Equal(["premium"], acme.ByTarget.Keys);
        Assert.Equal(1, ledger.GetSummary(RoutingLedgerSummary.NoTenant).Totals.Requests);
        Assert.Equal(0, ledger.GetSummary("initech").Totals.Requests);
        Assert.Empty(ledger.GetSummary("initech").ModelMix);
    }

    [Fact]
    public async Task FailedRequests_AreCountedWithoutCost()
    {
        var failing = new TestChatClient("premium") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down", null, HttpStatusCode.BadGateway) };
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseLedger(), premium: failing);
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await Assert.ThrowsAsync<HttpRequestException>(() => chat.GetResponseAsync("an exception in prod"));

        RoutingLedgerTotals totals = provider.GetRequiredService<IRoutingLedger>().GetSummary().Totals;
        Assert.Equal(1, totals.Requests);
        Assert.Equal(1, totals.Failed);
        Assert.Equal(0, totals.Succeeded);
        Assert.Equal(0, totals.Priced);
        Assert.Equal(0m, totals.Cost);
    }

    [Fact]
    public async Task ConcurrentRequests_AreAllCounted()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseLedger());
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => chat.GetResponseAsync(i % 2 == 0 ? "hello" : "an exception", ObservabilityFixtures.For($"t{i % 4}")))));

        RoutingLedgerSummary summary = provider.GetRequiredService<IRoutingLedger>().GetSummary();
        Assert.Equal(400, summary.Totals.Requests);
        Assert.Equal((200 * ObservabilityFixtures.PremiumCost) + (200 * ObservabilityFixtures.EconomyCost), summary.Totals.Cost);
        Assert.All(summary.ByTenant.Values, t => Assert.Equal(100, t.Requests));
    }

    [Fact]
    public async Task AStreamedRequest_IsRecordedOnceWithItsUsage()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseLedger());
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await foreach (ChatResponseUpdate _ in chat.GetStreamingResponseAsync("hello"))
        {
        }

        RoutingLedgerTotals totals = provider.GetRequiredService<IRoutingLedger>().GetSummary().Totals;
        Assert.Equal(1, totals.Requests);
        Assert.Equal(1, totals.Priced);
        Assert.True(totals.Cost > 0m);
    }

    [Fact]
    public void UseLedger_WithAnInstance_RegistersIt()
    {
        var ledger = new InMemoryRoutingLedger();
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseLedger(ledger));
        Assert.Same(ledger, provider.GetRequiredService<IRoutingLedger>());
    }
}
