using Microsoft.Extensions.Time.Testing;
using LlmRouting.Costs;

namespace LlmRouting.Tests;

public class InMemoryBudgetStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddDays(1);

    private static BudgetReservation Reservation(string id, decimal amount, decimal? limit = 10m, TimeSpan? hold = null) =>
        new("k", id, amount, limit, Start + (hold ?? TimeSpan.FromMinutes(10)), End);

    [Fact]
    public async Task Reserve_ChecksSpentPlusReservedPlusTheAmount_AgainstTheLimit()
    {
        var store = new InMemoryBudgetStore(new FakeTimeProvider(Start));
        await store.AddSpendAsync("k", 3m, End);

        BudgetReservationResult a = await store.ReserveAsync(Reservation("a", 4m));
        BudgetReservationResult b = await store.ReserveAsync(Reservation("b", 3m));
        BudgetReservationResult c = await store.ReserveAsync(Reservation("c", 0.000000001m));
        BudgetReservationResult unlimited = await store.ReserveAsync(Reservation("d", 5m, limit: null));

        Assert.Equal(new BudgetReservationResult(BudgetReservationStatus.Reserved, new BudgetBalance(3m, 4m)), a);
        Assert.Equal(new BudgetReservationResult(BudgetReservationStatus.Reserved, new BudgetBalance(3m, 7m)), b);
        Assert.Equal(new BudgetReservationResult(BudgetReservationStatus.Refused, new BudgetBalance(3m, 7m)), c);
        Assert.True(unlimited.IsGranted);
        Assert.Equal(new BudgetBalance(3m, 12m), await store.GetBalanceAsync("k"));
        Assert.Equal(3m, await store.GetSpentAsync("k"));
    }

    [Fact]
    public async Task Settle_ReplacesTheHoldWithTheActualCost_Release_DropsIt()
    {
        var store = new InMemoryBudgetStore(new FakeTimeProvider(Start));
        await store.ReserveAsync(Reservation("a", 4m));
        await store.ReserveAsync(Reservation("b", 4m));

        Assert.True(await store.SettleAsync("k", "a", 1.25m, End));
        Assert.True(await store.ReleaseAsync("k", "b"));

        Assert.Equal(new BudgetBalance(1.25m, 0m), await store.GetBalanceAsync("k"));
        Assert.True((await store.ReserveAsync(Reservation("c", 8.75m))).IsGranted);
    }

    [Fact]
    public async Task EveryOperation_IsIdempotentByReservationId()
    {
        var store = new InMemoryBudgetStore(new FakeTimeProvider(Start));

        Assert.Equal(BudgetReservationStatus.Reserved, (await store.ReserveAsync(Reservation("a", 4m))).Status);
        Assert.Equal(BudgetReservationStatus.AlreadyReserved, (await store.ReserveAsync(Reservation("a", 4m))).Status);
        Assert.True(await store.SettleAsync("k", "a", 2m, End));
        Assert.False(await store.SettleAsync("k", "a", 2m, End));
        Assert.False(await store.ReleaseAsync("k", "a"));
        Assert.Equal(BudgetReservationStatus.AlreadyCompleted, (await store.ReserveAsync(Reservation("a", 4m))).Status);
        Assert.True(await store.ReleaseAsync("k", "never-reserved"));
        Assert.False(await store.ReleaseAsync("k", "never-reserved"));

        Assert.Equal(new BudgetBalance(2m, 0m), await store.GetBalanceAsync("k"));
    }

    [Fact]
    public async Task AHoldNeverEnded_StopsCountingAtItsExpiry_ButItsLateSettleStillCounts()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore(time);
        await store.ReserveAsync(Reservation("crashed", 6m, hold: TimeSpan.FromMinutes(10)));
        Assert.False((await store.ReserveAsync(Reservation("next", 6m))).IsGranted);

        time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.Equal(new BudgetBalance(0m, 6m), await store.GetBalanceAsync("k"));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(new BudgetBalance(0m, 0m), await store.GetBalanceAsync("k"));
        Assert.True((await store.ReserveAsync(new BudgetReservation("k", "next", 6m, 10m, time.GetUtcNow().AddMinutes(10), End))).IsGranted);

        // A call that outlived its hold is still charged, and only once.
        Assert.True(await store.SettleAsync("k", "crashed", 1m, End));
        Assert.Equal(new BudgetBalance(1m, 6m), await store.GetBalanceAsync("k"));
    }

    [Fact]
    public async Task CompletedIds_AreRememberedForTheRetention_ThenForgotten()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore(time, TimeSpan.FromMinutes(30));
        await store.ReserveAsync(Reservation("a", 1m));
        await store.SettleAsync("k", "a", 1m, End);

        time.Advance(TimeSpan.FromMinutes(29));
        Assert.False(await store.SettleAsync("k", "a", 1m, End));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.SettleAsync("k", "a", 1m, End));
        Assert.Equal(2m, await store.GetSpentAsync("k"));
        Assert.Equal(TimeSpan.FromMinutes(30), store.CompletedRetention);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryBudgetStore(time, TimeSpan.Zero));
    }

    [Fact]
    public async Task TheWindowsEnd_ForgetsEverything_AndSpendForAnEndedWindowIsNotRecorded()
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryBudgetStore(time);
        await store.AddSpendAsync("k", 5m, End);
        await store.ReserveAsync(new BudgetReservation("k", "a", 1m, 10m, End.AddHours(1), End));

        time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(default, await store.GetBalanceAsync("k"));
        Assert.False(await store.SettleAsync("k", "a", 1m, End));
        Assert.Equal(0m, await store.AddSpendAsync("k", 1m, End));
        Assert.Equal(BudgetReservationStatus.Refused, (await store.ReserveAsync(new BudgetReservation("k", "b", 1m, 10m, End.AddHours(1), End))).Status);
        Assert.Equal(default, await store.GetBalanceAsync("k"));
    }

    [Fact]
    public async Task ConcurrentReservations_NeverHoldMoreThanTheLimit()
    {
        var store = new InMemoryBudgetStore(new FakeTimeProvider(Start));

        BudgetReservationResult[] results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
            await store.ReserveAsync(Reservation($"r{i}", 0.03m)))));

        Assert.Equal(333, results.Count(r => r.IsGranted));
        Assert.Equal(new BudgetBalance(0m, 9.99m), await store.GetBalanceAsync("k"));
    }

    [Fact]
    public async Task BadReservations_AreRejectedWithTheFieldName()
    {
        var store = new InMemoryBudgetStore(new FakeTimeProvider(Start));

        Assert.StartsWith("BudgetReservation.Amount must not be negative.", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReserveAsync(Reservation("a", -1m)))).Message, StringComparison.Ordinal);
        Assert.Equal("BudgetReservation.Id", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReserveAsync(Reservation(string.Empty, 1m)))).ParamName);
        Assert.StartsWith("BudgetReservation.Limit must not be negative.", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReserveAsync(Reservation("a", 1m, limit: -1m)))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.SettleAsync("k", "a", -1m, End));
    }
}
