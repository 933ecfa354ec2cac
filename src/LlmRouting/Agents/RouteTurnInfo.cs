using Microsoft.Extensions.AI;

namespace LlmRouting.Agents;

/// <summary>
/// What a whole turn of an agent loop (the user turn and every continuation after tool results) and its session have
/// used so far, as of the call that carries it: with function invocation above the router, the final response's
/// <see cref="RouteInfo.Turn"/> covers every step of the turn.
/// </summary>
/// <remarks>An immutable snapshot taken when the call ended. Holds counts, tokens, money and target names only.</remarks>
public sealed class RouteTurnInfo
{
    internal RouteTurnInfo(TurnTotals turn, SessionTotals? session, bool isSwitch)
    {
        Steps = turn.Steps;
        Cost = turn.Cost;
        Usage = new UsageDetails
        {
            InputTokenCount = turn.InputTokens,
            OutputTokenCount = turn.OutputTokens,
            CachedInputTokenCount = turn.CachedInputTokens,
            TotalTokenCount = turn.InputTokens + turn.OutputTokens,
        };
        Targets = turn.Targets;
        Session = session?.Key;
        SessionTurns = session?.Turns ?? 1;
        SessionSteps = session?.Steps ?? turn.Steps;
        SessionCost = session is null ? turn.Cost : session.Cost;
        SessionSwitches = session?.Switches ?? 0;
        IsSwitch = isSwitch;
    }

    /// <summary>Gets the number of calls made in this turn so far, this one included (refused calls too).</summary>
    public int Steps { get; }

    /// <summary>Gets what the turn's calls cost so far, this one included; <see langword="null"/> when none reported usage.</summary>
    public decimal? Cost { get; }

    /// <summary>Gets the tokens of the turn's calls so far, summed.</summary>
    public UsageDetails Usage { get; }

    /// <summary>Gets the target that served each call of the turn, in order (calls that reached no target are left out).</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>Gets the session (conversation id or session metadata), if the call named one.</summary>
    public string? Session { get; }

    /// <summary>Gets the number of turns of the session so far (1 without a session).</summary>
    public int SessionTurns { get; }

    /// <summary>Gets the number of calls of the session so far.</summary>
    public int SessionSteps { get; }

    /// <summary>Gets what the session's calls cost so far.</summary>
    public decimal? SessionCost { get; }

    /// <summary>Gets how often the session moved from one target to another.</summary>
    public int SessionSwitches { get; }

    /// <summary>Gets a value indicating whether this call moved the session to another target than its previous call's.</summary>
    public bool IsSwitch { get; }
}
