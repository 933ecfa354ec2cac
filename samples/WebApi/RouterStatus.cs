using LlmRouting;
using LlmRouting.Accounting;
using LlmRouting.Resilience;
using Microsoft.Extensions.AI;

namespace WebApi;

/// <summary>Reads target health, cooldowns and budget use from the router's public read API.</summary>
internal static class RouterStatus
{
    public static async Task<RouterStatusReply> ReadAsync(IServiceProvider services, IReadOnlyDictionary<string, string> scopes, CancellationToken cancellationToken)
    {
        LlmRouterChatClient router = services.GetRequiredService<LlmRouterChatClient>();
        TargetRegistry targets = router.GetService<TargetRegistry>()!;
        TargetHealthMonitor? health = services.GetService<TargetHealthMonitor>();
        DateTimeOffset now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();

        var targetStatus = new List<TargetStatus>(targets.Count);
        foreach (RouteTarget target in targets.Targets)
        {
            TargetHealth state = health?.GetHealth(target.Name) ?? new TargetHealth(target.Name, Polly.CircuitBreaker.CircuitState.Closed, null, null);
            double retryIn = state.OpenUntil is { } until && !state.IsAvailable ? Math.Max(0, (until - now).TotalSeconds) : 0;
            targetStatus.Add(new TargetStatus(
                target.Name, target.Profile.ModelId, target.Profile.Tier.ToString(), state.State.ToString(), state.IsAvailable, state.OpenUntil, retryIn, state.LastFailure));
        }

        var budgetStatus = new List<BudgetStatus>();
        if (services.GetService<BudgetMonitor>() is { } monitor)
        {
            foreach (BudgetUse use in await monitor.GetUseAsync(scopes, cancellationToken))
            {
                budgetStatus.Add(new BudgetStatus(
                    use.ScopeKey, use.Scope, use.Period.ToString(), use.Limit, use.Balance.Spent, use.Balance.Reserved, use.Utilization, use.WindowEnd));
            }
        }

        return new RouterStatusReply(targetStatus, budgetStatus);
    }
}
