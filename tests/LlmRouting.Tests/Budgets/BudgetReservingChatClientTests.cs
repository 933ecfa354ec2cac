using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Accounting;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting.Tests;

public class BudgetReservingChatClientTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly TargetProfile Premium = new() { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m, Tier = QualityTier.Premium };
    private static readonly TargetProfile Economy = new() { InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.60m, Tier = QualityTier.Economy };
    private static readonly BudgetOptions Budget = new() { ScopeKey = "tenant", Period = BudgetPeriod.Day, Limit = 1m, RefuseAtLimit = true };
    private static readonly string Key = Budget.KeyAt("acme", Now);

    private static ChatOptions Acme(int? maxOutputTokens = 100) => new() { MaxOutputTokens = maxOutputTokens, AdditionalProperties = new() { ["tenant"] = "acme" } };

    private static CostAwareOptions Options(BudgetOptions? budget = null)
    {
        var options = new CostAwareOptions();
        options.Budgets.Add(budget ?? Budget);
        return options;
    }

    private static (BudgetReservingChatClient Client, InMemoryBudgetStore Store, FakeTimeProvider Time) Wrap(IChatClient inner, TargetProfile? profile = null, BudgetOptions? budget = null)
    {
        var time = new FakeTimeProvider(Now);
        var store = new InMemoryBudgetStore(time);
        return (new BudgetReservingChatClient(inner, profile ?? Premium, Options(budget), store, time), store, time);
    }

    /// <summary>What "hi" reserves at premium prices: 5 estimated input tokens and the output allowance.</summary>
    private static decimal Estimate(int outputTokens, TargetProfile? profile = null) =>
        RoutingCost.Compute(new RoutingRequest("hi").EstimatedInputTokens, outputTokens, 0, profile ?? Premium);

    [Fact]
    public async Task TheEstimateIsHeldDuringTheCall_AndSettledWithTheActualCost()
    {
        BudgetBalance during = default;
        InMemoryBudgetStore? store = null;
        var inner = new TestChatClient("premium");
        inner.GetResponseAsyncCallback = async (_, _, _) =>
        {
            during = await store!.GetBalanceAsync(Key);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 20 } };
        };
        (BudgetReservingChatClient client, store, _) = Wrap(inner);

        await client.GetResponseAsync("hi", Acme(maxOutputTokens: 100));

        Assert.Equal(new BudgetBalance(0m, Estimate(100)), during);
        Assert.Equal(new BudgetBalance(((10 * 2.50m) + (20 * 10m)) / 1_000_000m, 0m), await store.GetBalanceAsync(Key));
    }

    [Fact]
    public async Task WithoutMaxOutputTokens_TheExpectedOutputIsReserved_AndWithoutReportedUsage_AnEstimateIsSettled()
    {
        BudgetBalance during = default;
        InMemoryBudgetStore? store = null;
        var inner = new TestChatClient("premium");
        inner.GetResponseAsyncCallback = async (_, _, _) =>
        {
            during = await store!.GetBalanceAsync(Key);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "twelve chars"));
        };
        (BudgetReservingChatClient client, store, _) = Wrap(inner);

        await client.GetResponseAsync("hi", Acme(maxOutputTokens: null));

        Assert.Equal(Estimate(new CostAwareOptions().ExpectedOutputTokens), during.Reserved);
        Assert.Equal(new BudgetBalance(Estimate(TokenEstimator.Estimate("twelve chars")), 0m), await store.GetBalanceAsync(Key));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailedOrCancelledCall_ReleasesItsReservation(bool cancel)
    {
        using var cts = new CancellationTokenSource();
        var inner = new TestChatClient("premium")
        {
            GetResponseAsyncCallback = (_, _, ct) =>
            {
                if (cancel)
                {
                    cts.Cancel();
                    ct.ThrowIfCancellationRequested();
                }

                throw new HttpRequestException("down");
            },
        };
        (BudgetReservingChatClient client, InMemoryBudgetStore store, _) = Wrap(inner);

        await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi", Acme(), cts.Token));

        Assert.Equal(default, await store.GetBalanceAsync(Key));
    }

    [Fact]
    public async Task AReservationTheBudgetCannotCover_IsRefusedBeforeTheProviderIsCalled()
    {
        var inner = new TestChatClient("premium");
        (BudgetReservingChatClient client, InMemoryBudgetStore store, _) = Wrap(inner);
        await store.AddSpendAsync(Key, 0.9995m, Now.AddDays(1));

        BudgetExceededException refused = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", Acme(maxOutputTokens: 100)));

        Assert.Equal(0, inner.Calls);
        Assert.Equal(0.9995m, refused.Spent);
        Assert.Equal(Estimate(100), refused.EstimatedCost);
        Assert.StartsWith("The daily budget for tenant 'acme' cannot cover this request: 0.9995 spent and 0 reserved of 1, and the request's estimated cost is 0.001013; it resets at 2026-11-25T00:00:00.0000000+00:00.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(new BudgetBalance(0.9995m, 0m), await store.GetBalanceAsync(Key));
    }

    [Fact]
    public async Task ARequestNoBudgetAppliesTo_PassesStraightThrough()
    {
        var inner = new TestChatClient("premium");
        (BudgetReservingChatClient client, InMemoryBudgetStore store, _) = Wrap(inner);

        await client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["user"] = "bob" } });
        await client.GetResponseAsync("hi");

        Assert.Equal(2, inner.Calls);
        Assert.Equal(default, await store.GetBalanceAsync(Key));
    }

    [Fact]
    public async Task ACompletedStream_SettlesItsReportedUsage()
    {
        (BudgetReservingChatClient client, InMemoryBudgetStore store, _) = Wrap(new TestChatClient("premium"));

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi", Acme()))
        {
            Assert.Equal(Estimate(100), (await store.GetBalanceAsync(Key)).Reserved);
        }

        Assert.Equal(new BudgetBalance(((1000 * 2.50m) + (500 * 10m)) / 1_000_000m, 0m), await store.GetBalanceAsync(Key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task ABrokenStream_SettlesWhatItStreamed_OrReleasesWhenNothingCame(int updatesBeforeTheBreak)
    {
        var inner = new TestChatClient("premium") { GetStreamingResponseAsyncCallback = (_, _, _) => Broken(updatesBeforeTheBreak) };
        (BudgetReservingChatClient client, InMemoryBudgetStore store, _) = Wrap(inner);

        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi", Acme()))
            {
            }
        });

        decimal expected = updatesBeforeTheBreak == 0 ? 0m : Estimate(TokenEstimator.Estimate("abcdabcd"));
        Assert.Equal(new BudgetBalance(expected, 0m), await store.GetBalanceAsync(Key));

        static async IAsyncEnumerable<ChatResponseUpdate> Broken(int updates, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (int i = 0; i < updates; i++)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "abcd");
            }

            throw new HttpRequestException("connection reset");
        }
    }

    [Fact]
    public async Task AnAbandonedStream_SettlesWhatItStreamed()
    {
        (BudgetReservingChatClient client, InMemoryBudgetStore store, _) = Wrap(new TestChatClient("premium"));

        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi", Acme()))
        {
            break;
        }

        Assert.Equal(new BudgetBalance(Estimate(TokenEstimator.Estimate("premium")), 0m), await store.GetBalanceAsync(Key));
    }

    [Fact]
    public async Task ThroughTheRouter_EachFallbackAttemptReservesOnItsOwn_AndTheFailedOneReleases()
    {
        var time = new FakeTimeProvider(Now);
        InMemoryBudgetStore? store = null;
        var held = new List<BudgetBalance>();
        var premium = new TestChatClient("premium") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("503") };
        var economy = new TestChatClient("economy");
        economy.GetResponseAsyncCallback = async (_, _, _) =>
        {
            held.Add(await store!.GetBalanceAsync(Key));
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 } };
        };
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmRouter(r => r
            .AddTarget("premium", premium, t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", economy, t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("premium")
            .UseFallback(f => f.UseTargetResilience = false)
            .UseCostAware(c =>
            {
                c.Difficulty = _ => 0.9;
                c.Budgets.Add(Budget);
            }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        store = (InMemoryBudgetStore)provider.GetRequiredService<IBudgetStore>();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        ChatResponse response = await chat.GetResponseAsync("hi", Acme());

        RouteInfo route = response.GetRouteInfo()!;
        Assert.Equal(["premium", "economy"], route.Attempts.Select(a => a.Target));
        Assert.Equal(1, premium.Calls);
        Assert.Equal([new BudgetBalance(0m, Estimate(100, Economy))], held);
        Assert.Equal(new BudgetBalance(route.Cost!.Value, 0m), await store.GetBalanceAsync(Key));
    }

    [Fact]
    public async Task ThroughTheRouter_ManyConcurrentCallers_NeverSpendPastTheLimit()
    {
        var inner = new TestChatClient("economy");
        inner.GetResponseAsyncCallback = async (_, _, ct) =>
        {
            await Task.Delay(Random.Shared.Next(1, 5), ct);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 100 } };
        };
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("economy", inner, t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("economy")
            .UseCostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = "tenant", Period = BudgetPeriod.Day, Limit = 0.005m, RefuseAtLimit = true })));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        int[] served = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            int count = 0;
            try
            {
                while (true)
                {
                    await chat.GetResponseAsync("hi", Acme());
                    count++;
                }
            }
            catch (BudgetExceededException)
            {
                return count;
            }
        })));

        decimal each = ((5 * 0.15m) + (100 * 0.60m)) / 1_000_000m;
        BudgetBalance balance = await provider.GetRequiredService<IBudgetStore>().GetBalanceAsync(new BudgetOptions { Period = BudgetPeriod.Day }.KeyAt("acme", DateTimeOffset.UtcNow));
        Assert.Equal(served.Sum() * each, balance.Spent);
        Assert.Equal(0m, balance.Reserved);
        Assert.Equal((int)(0.005m / each), served.Sum());
    }
}
