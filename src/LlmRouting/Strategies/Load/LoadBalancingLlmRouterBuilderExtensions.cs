using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Adds load- and latency-aware strategies (YARP-style policies) to a router.</summary>
public static class LoadBalancingLlmRouterBuilderExtensions
{
    /// <summary>Tracks every target's calls in flight and latency (done once, by the first load-aware strategy added).</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Adjusts smoothing and warm-up.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseLoadTracking(this LlmRouterBuilder builder, Action<LoadTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(TargetLoadTracker)))
        {
            if (configure is not null)
            {
                throw new InvalidOperationException("Load tracking is already configured; call UseLoadTracking(configure) before any load-aware strategy.");
            }

            return builder;
        }

        var options = new LoadTrackingOptions();
        configure?.Invoke(options);
        builder.ValidateOnBuild(options, "LoadTracking");
        builder.Services.TryAddSingleton(sp => new TargetLoadTracker(options, sp.GetService<TimeProvider>()));
        return builder.DecorateTargets(d => new LoadTrackingChatClient(d.Client, d.Services.GetRequiredService<TargetLoadTracker>(), d.TargetName));
    }

    /// <summary>Sends each request to the target with the fewest calls in flight.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="targets">The targets to balance over; none for every candidate.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseLeastInFlight(this LlmRouterBuilder builder, params string[] targets) =>
        builder.UseLoadTracking().UseStrategy(LeastInFlightStrategy.StrategyName, (sp, o) =>
            new LeastInFlightStrategy(sp.GetRequiredService<TargetLoadTracker>(), Known(o, targets, LeastInFlightStrategy.StrategyName)), "UseLeastInFlight");

    /// <summary>Sends each request to the target with the lowest smoothed latency (time to first token for streams).</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="targets">The targets to balance over; none for every candidate.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseLowestLatency(this LlmRouterBuilder builder, params string[] targets) =>
        builder.UseLoadTracking().UseStrategy(LowestLatencyStrategy.StrategyName, (sp, o) =>
            new LowestLatencyStrategy(sp.GetRequiredService<TargetLoadTracker>(), Known(o, targets, LowestLatencyStrategy.StrategyName)), "UseLowestLatency");

    /// <summary>Picks two targets at random and sends to the less loaded one.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="targets">The targets to balance over; none for every candidate.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UsePowerOfTwoChoices(this LlmRouterBuilder builder, params string[] targets) =>
        UsePowerOfTwoChoices(builder, Random.Shared, targets);

    /// <summary>Picks two targets at random (from <paramref name="random"/>) and sends to the less loaded one.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="random">The random source; it is used from many threads at once, so it must be thread-safe (<see cref="Random.Shared"/> is; a seeded <c>new Random(42)</c> is only safe in single-threaded tests).</param>
    /// <param name="targets">The targets to balance over; none for every candidate.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UsePowerOfTwoChoices(this LlmRouterBuilder builder, Random random, params string[] targets) =>
        builder.UseLoadTracking().UseStrategy(PowerOfTwoChoicesStrategy.StrategyName, (sp, o) =>
            new PowerOfTwoChoicesStrategy(sp.GetRequiredService<TargetLoadTracker>(), Known(o, targets, PowerOfTwoChoicesStrategy.StrategyName), random), "UsePowerOfTwoChoices");

    /// <summary>Splits traffic by weight (A/B tests, canaries), optionally sticky per user or session.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the weights, e.g. <c>s => { s.Weights["stable"] = 95; s.Weights["canary"] = 5; }</c>.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseWeightedSplit(this LlmRouterBuilder builder, Action<WeightedSplitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new WeightedSplitOptions();
        configure(options);
        builder.ValidateOnBuild(options, "WeightedSplit");
        return builder.UseStrategy(WeightedSplitStrategy.StrategyName, (services, o) =>
        {
            Known(o, [.. options.Weights.Keys], WeightedSplitStrategy.StrategyName);
            return new WeightedSplitStrategy(options);
        }, "UseWeightedSplit");
    }

    /// <summary>Maps each key (by default the <c>user</c> metadata) to a stable target with a hash ring.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the key, the ring size and the targets.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseConsistentHashing(this LlmRouterBuilder builder, Action<ConsistentHashOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ConsistentHashOptions();
        configure?.Invoke(options);
        builder.ValidateOnBuild(options, "ConsistentHash");
        return builder.UseStrategy(ConsistentHashStrategy.StrategyName, (_, o) =>
            new ConsistentHashStrategy(options.Targets.Count > 0 ? Known(o, [.. options.Targets], ConsistentHashStrategy.StrategyName)! : o.Targets.Select(t => t.Name), options), "UseConsistentHashing");
    }

    /// <summary>Checks, when the router is built (start-up), that a strategy names only configured targets.</summary>
    private static string[]? Known(LlmRoutingOptions options, string[] targets, string strategy)
    {
        foreach (string target in targets)
        {
            if (options.FindTarget(target) is null)
            {
                throw new ArgumentException($"Strategy '{strategy}' names target '{target}', which is not a configured target (known targets: {string.Join(", ", options.Targets.Select(t => t.Name))}).", nameof(targets));
            }
        }

        return targets.Length == 0 ? null : targets;
    }
}
