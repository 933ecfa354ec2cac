using LlmRouting.Agents;

namespace LlmRouting;

/// <summary>The agent view of a route: session, step, loop trip, and the whole turn's totals.</summary>
public sealed partial class RouteInfo
{
    private RouteTurnInfo? _turn;

    /// <summary>Gets the session the call belonged to (<see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> or the session metadata), when agent sessions are on.</summary>
    public string? Session => Request.Agent?.Session?.Key;

    /// <summary>Gets what the call was: a user turn, a continuation after tool results, or the final answer.</summary>
    public StepKind StepKind => Request.StepKind;

    /// <summary>Gets the 1-based index of the call within its turn.</summary>
    public int StepIndex => Request.StepIndex;

    /// <summary>Gets what loop detection found, when it tripped on this call (the call was refused or downgraded).</summary>
    public AgentLoopEvidence? LoopDetected => Request.Agent?.Trip;

    /// <summary>Gets the totals of the call's whole turn and session as of this call, once it has ended; <see langword="null"/> when agent sessions are off.</summary>
    /// <remarks>With function invocation above the router, the response the application finally receives carries the last call's route, whose turn covers every step.</remarks>
    public RouteTurnInfo? Turn
    {
        get => Volatile.Read(ref _turn);
        internal set => Volatile.Write(ref _turn, value);
    }
}
