using LlmRouting.Costs;
using LlmRouting.Strategies;

namespace LlmRouting.Accounting;

/// <summary>Reads the use of the router's budgets: per budget and scope, the limit, what is spent and what requests in flight hold.</summary>
/// <remarks>
/// <c>AddLlmRouter</c> registers one; it reads the budgets in force (those of <c>UseCostAware</c>/<c>UseHybridRouting</c>, or of
/// the configured <c>cost-aware</c> strategy after the last configuration reload) from the same <see cref="IBudgetStore"/>
/// the router charges, so with Redis it shows every instance's spend. A status endpoint is its intended use. Thread-safe.
/// </remarks>
public sealed class BudgetMonitor
{
    private readonly Func<IReadOnlyList<BudgetOptions>> _budgets;
    private readonly Func<IBudgetStore> _store;
    private readonly TimeProvider _timeProvider;

    internal BudgetMonitor(Func<IReadOnlyList<BudgetOptions>> budgets, Func<IBudgetStore> store, TimeProvider? timeProvider)
    {
        _budgets = budgets;
        _store = store;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the budgets in force now.</summary>
    public IReadOnlyList<BudgetOptions> Budgets => _budgets();

    /// <summary>Reads the use of every budget whose scope key has a value in <paramref name="scopes"/>, in the current window.</summary>
    /// <param name="scopes">Scope values by metadata key, as requests carry them (e.g. <c>tenant</c> → <c>acme</c>); the keys are case-insensitive.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>One entry per budget that applies, in the order the budgets are configured.</returns>
    public async ValueTask<IReadOnlyList<BudgetUse>> GetUseAsync(IReadOnlyDictionary<string, string> scopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var byKey = new Dictionary<string, string>(scopes, StringComparer.OrdinalIgnoreCase);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        IBudgetStore store = _store();
        var use = new List<BudgetUse>();
        foreach (BudgetOptions budget in _budgets())
        {
            if (!byKey.TryGetValue(budget.ScopeKey, out string? scope) || string.IsNullOrEmpty(scope))
            {
                continue;
            }

            BudgetBalance balance = await store.GetBalanceAsync(budget.KeyAt(scope, now), cancellationToken).ConfigureAwait(false);
            use.Add(new BudgetUse(budget.ScopeKey, scope, budget.Period, budget.Limit, balance, budget.WindowAt(now).End));
        }

        return use;
    }
}
