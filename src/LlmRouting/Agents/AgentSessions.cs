using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using LlmRouting.Statistics;

namespace LlmRouting.Agents;

/// <summary>
/// The router's agent bookkeeping: recognises sessions and turns, keeps a conversation on its target (affinity), stops
/// runaway loops, and adds up each turn's calls. One per router, shared by every request; thread-safe.
/// </summary>
internal sealed partial class AgentSessions
{
    /// <summary>The strategy name on decisions conversation affinity made.</summary>
    public const string AffinityStrategy = "affinity";

    /// <summary>The strategy name on decisions loop detection made.</summary>
    public const string LoopStrategy = "loop-detection";

    /// <summary>The strategy name on tool-result steps sent to the configured default.</summary>
    public const string ToolStepStrategy = "tool-step-default";

    private readonly AgentConfiguration _configuration;
    private readonly SessionTable _sessions;
    private readonly ConditionalWeakTable<ChatMessage, TurnState> _turns = new();
    private readonly SharedPins? _shared;
    private readonly ILogger _logger;
    private volatile AgentSettings _settings;

    public AgentSessions(AgentConfiguration configuration, IServiceProvider services, TimeProvider? time, IRoutingStatisticsStore? store, ILogger logger)
    {
        _configuration = configuration;
        time ??= TimeProvider.System;
        _sessions = new SessionTable(time);
        _shared = store is null or InMemoryRoutingStatisticsStore ? null : new SharedPins(store, time);
        _logger = logger;
        _settings = configuration.Create(services);
    }

    /// <summary>Gets the settings in force.</summary>
    public AgentSettings Settings => _settings;

    /// <summary>Gets the number of sessions remembered in this process.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Reads the settings again (start-up and every configuration reload); the sessions are kept.</summary>
    public AgentSessions Refresh(IServiceProvider services)
    {
        _settings = _configuration.Create(services);
        return this;
    }

    /// <summary>Before the strategies: finds the session and turn, checks the loop limits, then applies the caller's pin or keeps the conversation on its target.</summary>
    /// <param name="request">The request.</param>
    /// <param name="candidates">The candidates the filters left.</param>
    /// <param name="registry">The targets.</param>
    /// <param name="callerPin">The decision the caller's <c>ModelId</c> pins, if any: it wins over affinity (loop detection still applies).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A decision that replaces the strategy chain's, or <see langword="null"/> to let the chain decide.</returns>
    /// <exception cref="NoRouteAvailableException">The conversation holds provider-side state on a target that can no longer serve it, or the caller pinned another target.</exception>
    /// <remarks>A call refused here (loop detection with <see cref="LoopAction.Throw"/>, or an exception) is not counted as a step of its turn or session.</remarks>
    public ValueTask<RouteDecision?> BeginAsync(RoutingRequest request, RouteCandidates candidates, TargetRegistry registry, RouteDecision? callerPin, CancellationToken cancellationToken)
    {
        AgentSettings settings = _settings;
        string? key = request.ConversationId ?? (settings.Sessions.SessionMetadataKey is { } metadata ? request.Metadata(metadata) : null);
        SessionState? session = key is null ? null : _sessions.Touch(key, settings.Sessions.SessionTimeToLive, settings.Sessions.MaxSessions);
        bool affinity = settings.Affinity is { Mode: not ConversationAffinityMode.Off };
        bool counters = SharesCounters(settings);
        if (session is not null && _shared is { } shared && settings.Sessions.ShareThroughStatisticsStore && (affinity || counters))
        {
            return ReadSharedAsync(shared, request, candidates, registry, callerPin, session, settings, counters, cancellationToken);
        }

        return new(Decide(request, candidates, registry, callerPin, session, settings));
    }

    private async ValueTask<RouteDecision?> ReadSharedAsync(
        SharedPins shared, RoutingRequest request, RouteCandidates candidates, TargetRegistry registry, RouteDecision? callerPin,
        SessionState session, AgentSettings settings, bool counters, CancellationToken cancellationToken)
    {
        SharedSession state = await shared.ReadAsync(session.Key, registry, counters, settings.Sessions.SessionTimeToLive, cancellationToken).ConfigureAwait(false);
        if (state.Target is { } target)
        {
            session.Adopt(target);
        }

        session.Share(state.Steps, state.Cost);
        return Decide(request, candidates, registry, callerPin, session, settings);
    }

    private RouteDecision? Decide(RoutingRequest request, RouteCandidates candidates, TargetRegistry registry, RouteDecision? callerPin, SessionState? session, AgentSettings settings)
    {
        (TurnState turn, TurnState? previous, bool started) = session?.BeginStep(request.StepKind == StepKind.UserTurn) ?? (TurnOf(request), null, false);
        int index = turn.BeginStep();
        if (request.LastTurnIndex < 0)
        {
            request.StepIndex = index; // the provider keeps the history: the turn record counts the steps
        }

        var step = new AgentStep(session, turn, request.StepIndex) { TurnBefore = (previous, started) };
        request.Agent = step;
        try
        {
            RouteDecision? kept = settings.Affinity is { Mode: not ConversationAffinityMode.Off } affinity && session is not null
                ? Keep(request, candidates, registry, affinity, step, session.Target, callerPin)
                : null;
            if (settings.Loop is { } loop && LoopCheck.Evaluate(loop, step) is { } evidence)
            {
                RouteDecision tripped = Tripped(step, evidence, candidates);
                if (step.Trip!.Action == LoopAction.Throw)
                {
                    Refused(turn, session, previous, started); // no target is called: not a step
                }

                return tripped;
            }

            return step.HoldsProviderState ? kept : callerPin ?? kept;
        }
        catch (NoRouteAvailableException)
        {
            Refused(turn, session, previous, started);
            throw;
        }
    }

    /// <summary>Takes back the step a dry run (<see cref="LlmRouterChatClient.DecideAsync"/>) counted: deciding is not calling.</summary>
    public static void TakeBack(RoutingRequest request)
    {
        if (request.Agent is { } step && step.Trip is not { Action: LoopAction.Throw })
        {
            Refused(step.Turn, step.Session, step.TurnBefore.Previous, step.TurnBefore.Started);
        }
    }

    private static bool SharesCounters(AgentSettings settings) => settings.Loop is { MaxStepsPerSession: not null } or { MaxSpendPerSession: not null };

    private static void Refused(TurnState turn, SessionState? session, TurnState? previous, bool started)
    {
        turn.CancelStep();
        session?.CancelStep(turn, previous, started);
    }

    private RouteDecision Tripped(AgentStep step, AgentLoopEvidence evidence, RouteCandidates candidates)
    {
        // A conversation that may not move is not downgraded to another target: the call is refused instead.
        if (evidence.Action == LoopAction.Downgrade && step is { HoldsProviderState: true, Pinned: not null })
        {
            evidence = evidence with { Action = LoopAction.Throw };
        }

        step.Trip = evidence;
        Log.LoopDetected(_logger, evidence.Limit.ToString(), evidence.Action.ToString(), step.StepIndex);
        RouteTarget target = evidence.Action == LoopAction.Throw && step.Pinned is { } pinned ? pinned : TargetOrdering.LowestTierCheapest(candidates.Targets)!;
        string outcome = evidence.Action == LoopAction.Throw ? "call refused" : "downgraded to the cheapest candidate";
        return RouteDecision.To(target, LoopStrategy, $"agent loop detected ({evidence.Limit}): {outcome}");
    }

    /// <summary>After the strategies: tool-result steps go to their default, and stay-or-escalate never moves a conversation down.</summary>
    public RouteDecision Adjust(RoutingRequest request, RouteCandidates candidates, TargetRegistry registry, RouteDecision decision)
    {
        if (request.Agent is not { Trip: null } step)
        {
            return decision;
        }

        AgentSettings settings = _settings;
        if (settings.Sessions.ToolResultTarget is { } name && request.StepKind != StepKind.UserTurn
            && string.Equals(decision.Strategy, RouterState.DefaultStrategyName, StringComparison.Ordinal)
            && registry.TryGet(name, out RouteTarget? toolTarget) && IsCandidate(candidates, toolTarget))
        {
            return RouteDecision.To(toolTarget, ToolStepStrategy, "tool-result step: configured default target");
        }

        if (settings.Affinity is { Mode: ConversationAffinityMode.StayOrEscalate } && step.Pinned is { } pinned
            && !string.Equals(decision.Strategy, RouterState.PinnedStrategyName, StringComparison.Ordinal)
            && !ReferenceEquals(decision.Primary, pinned) && decision.Primary.Profile.Tier <= pinned.Profile.Tier)
        {
            RouteTarget[] targets = [pinned, .. decision.Targets.Where(t => !ReferenceEquals(t, pinned))];
            return new RouteDecision(targets, AffinityStrategy, $"the conversation stays on its target ('{decision.Strategy}' chose no higher tier)", decision.Score);
        }

        return decision;
    }

    /// <summary>When a call has ended: adds it to its turn and session, moves the session's target, and attaches the turn's totals to the route.</summary>
    public void Complete(RouteInfo route)
    {
        if (route.Request.Agent is not { } step)
        {
            return;
        }

        TurnTotals turn = step.Turn.Add(route);
        (SessionTotals? session, bool switched) = step.Session?.Complete(route) ?? default;
        route.Turn = new RouteTurnInfo(turn, session, switched);
        if (switched)
        {
            Log.SessionSwitched(_logger, route.Target, route.Strategy);
        }

        AgentSettings settings = _settings;
        if (_shared is { } shared && step.Session is { } state && settings.Sessions.ShareThroughStatisticsStore && step.Trip is not { Action: LoopAction.Throw })
        {
            // Only what another instance reads: the target for affinity, the counters for per-session limits.
            bool pin = settings.Affinity is { Mode: not ConversationAffinityMode.Off } && route.Outcome == RouteOutcome.Succeeded && route.Attempts.Count > 0;
            bool count = SharesCounters(settings);
            if (pin || count)
            {
                _ = ShareAsync(shared, state.Key, pin ? route.Target : null, refresh: !switched, count ? route.Cost ?? 0 : null, settings.Sessions.SessionTimeToLive);
            }
        }
    }

    /// <summary>Counts the tool calls a response asks for (function name and a hash of the arguments; neither is stored as text).</summary>
    public static void ToolCallsRequested(RoutingRequest request, IList<AIContent> contents)
    {
        if (request.Agent is not { } step)
        {
            return;
        }

        foreach (AIContent content in contents)
        {
            if (content is FunctionCallContent call)
            {
                step.Turn.ToolCallRequested(call.Name, ToolCallKey.Of(call));
            }
        }
    }

    private static bool IsCandidate(RouteCandidates candidates, RouteTarget target)
    {
        foreach (RouteTarget candidate in candidates.Targets)
        {
            if (ReferenceEquals(candidate, target))
            {
                return true;
            }
        }

        return false;
    }

    private TurnState TurnOf(RoutingRequest request)
    {
        int last = request.LastTurnIndex;
        return last < 0 ? new TurnState() : _turns.GetValue(request.Messages[last], static _ => new TurnState());
    }

    private static RouteDecision? Keep(
        RoutingRequest request, RouteCandidates candidates, TargetRegistry registry, ConversationAffinityOptions affinity, AgentStep step, string? target, RouteDecision? callerPin)
    {
        if (target is null)
        {
            return null; // a new conversation: the strategies decide, and it stays where it lands
        }

        bool locked = request.ConversationId is not null && !affinity.AllowProviderStateMove;
        if (!registry.TryGet(target, out RouteTarget? pinned) || !IsCandidate(candidates, pinned))
        {
            if (locked)
            {
                string why = candidates.Rejections.FirstOrDefault(r => string.Equals(r.Target, target, StringComparison.OrdinalIgnoreCase))?.Reason ?? "it is no longer a target";
                throw new NoRouteAvailableException(
                    $"The conversation keeps provider-side state (ConversationId) on target '{target}', which cannot serve this call ({why}); no other target can continue it. Set {ConversationAffinityOptions.SectionName}:AllowProviderStateMove to let it move.");
            }

            return null; // the target can no longer serve: the strategies choose a new one
        }

        if (locked && callerPin is not null && !ReferenceEquals(callerPin.Primary, pinned))
        {
            throw new NoRouteAvailableException(
                $"The caller's ModelId pins target '{callerPin.Primary.Name}', but the conversation keeps provider-side state (ConversationId) on target '{target}', which no other target can continue. Set {ConversationAffinityOptions.SectionName}:AllowProviderStateMove to let it move.");
        }

        step.Pinned = pinned;
        step.HoldsProviderState = locked;
        step.CachedPrefixTokens = step.Session?.CachedPrefixTokens ?? 0;
        if (locked)
        {
            return RouteDecision.To(pinned, AffinityStrategy, "the conversation keeps provider-side state on its target");
        }

        return affinity.Mode == ConversationAffinityMode.Stay
            ? RouteDecision.To(pinned, AffinityStrategy, "the conversation stays on its target")
            : null;
    }

    private async Task ShareAsync(SharedPins shared, string session, string? target, bool refresh, decimal? cost, TimeSpan timeToLive)
    {
        try
        {
            if (target is not null)
            {
                await shared.WriteAsync(session, target, refresh, timeToLive, CancellationToken.None).ConfigureAwait(false);
            }

            if (cost is { } spent)
            {
                await shared.CountAsync(session, spent, timeToLive, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Sharing is best effort: the local record stays right, and the next call writes again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ShareFailed(_logger, ex.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "Agent loop detected ({Limit}) at step {Step}; action: {Action}.")]
        public static partial void LoopDetected(ILogger logger, string limit, string action, int step);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Debug, Message = "A session moved to target {Target} (decided by {Strategy}).")]
        public static partial void SessionSwitched(ILogger logger, string target, string strategy);

        [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Sharing a session's target through the statistics store failed ({ExceptionType}); the next call tries again.")]
        public static partial void ShareFailed(ILogger logger, string exceptionType);
    }
}
