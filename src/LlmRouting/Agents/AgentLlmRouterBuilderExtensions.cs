using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Agents;
using LlmRouting.Statistics;

namespace LlmRouting;

/// <summary>Adds the agent features to a router: sessions and per-turn accounting, conversation affinity, loop detection.</summary>
/// <remarks>See <c>docs/agents.md</c>. Each reads its own configuration section first, then applies the code's changes.</remarks>
public static class AgentLlmRouterBuilderExtensions
{
    /// <summary>Recognises sessions and turns: every response's <see cref="RouteInfo.Turn"/> then covers its whole turn (cost, tokens, targets, steps).</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the session metadata key, the time-to-live and size bounds, sharing, and the default target of tool-result steps; applied after <c>LlmRouting:Agents</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks><see cref="UseConversationAffinity"/> and <see cref="UseLoopDetection"/> turn sessions on too; call this to change their settings.</remarks>
    public static LlmRouterBuilder UseAgentSessions(this LlmRouterBuilder builder, Action<AgentSessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AgentConfiguration configuration = Sessions(builder);
        if (configure is not null)
        {
            configuration.Sessions.Add(configure);
        }

        return builder;
    }

    /// <summary>Keeps each conversation (<see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/>, or the session metadata) on its target from turn to turn.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the mode and whether conversations with provider-side state may move; applied after <c>LlmRouting:ConversationAffinity</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// A conversation moves only when its target can no longer serve (a candidate filter rejects it: capability, context window,
    /// data policy, health) or, with <see cref="ConversationAffinityMode.StayOrEscalate"/>, to a higher tier. The target is
    /// shared with other app instances through the registered <see cref="IRoutingStatisticsStore"/> (Redis).
    /// </remarks>
    public static LlmRouterBuilder UseConversationAffinity(this LlmRouterBuilder builder, Action<ConversationAffinityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.RegisterStage(nameof(UseConversationAffinity)))
        {
            return builder;
        }

        AgentConfiguration configuration = Sessions(builder);
        configuration.ClaimAffinity();
        configuration.Affinity = configure is null ? [] : [configure];
        return builder;
    }

    /// <summary>Stops runaway agents: limits on calls per turn and per session, repeated identical tool calls, and spend.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the limits and what a trip does (throw <see cref="AgentLoopDetectedException"/> or downgrade); applied after <c>LlmRouting:LoopDetection</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>A trip is recorded on the route (<see cref="RouteInfo.LoopDetected"/>): the audit trail, the ledger and the <c>llmrouting.agent.loops</c> metric see it.</remarks>
    public static LlmRouterBuilder UseLoopDetection(this LlmRouterBuilder builder, Action<LoopDetectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.RegisterStage(nameof(UseLoopDetection)))
        {
            return builder;
        }

        AgentConfiguration configuration = Sessions(builder);
        configuration.ClaimLoop();
        configuration.Loop = configure is null ? [] : [configure];
        return builder;
    }

    private static AgentConfiguration Sessions(LlmRouterBuilder builder)
    {
        AgentConfiguration configuration = AgentConfiguration.For(builder);
        builder.Services.TryAddSingleton(sp => new AgentSessions(
            sp.GetRequiredService<AgentConfiguration>(),
            sp,
            sp.GetService<TimeProvider>(),
            sp.GetService<IRoutingStatisticsStore>(),
            (ILogger?)sp.GetService<ILogger<AgentSessions>>() ?? NullLogger.Instance));
        return configuration;
    }
}
