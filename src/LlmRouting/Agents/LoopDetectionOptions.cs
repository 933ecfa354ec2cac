namespace LlmRouting.Agents;

/// <summary>Limits that stop a runaway agent: calls per turn and per session, repeated identical tool calls, spend per turn and per session.</summary>
/// <remarks>
/// A limit set to <see langword="null"/> is off. Per-session limits need a session (<see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/>
/// or the <see cref="AgentSessionOptions.SessionMetadataKey"/> metadata); per-turn limits work without one. Bound from the
/// <c>LlmRouting:LoopDetection</c> section, then refined by code (<c>UseLoopDetection</c>).
/// </remarks>
public sealed class LoopDetectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "LlmRouting:LoopDetection";

    /// <summary>Gets or sets the most calls in one turn (the user turn and every continuation after tool results).</summary>
    /// <value>The default is 25.</value>
    public int? MaxStepsPerTurn { get; set; } = 25;

    /// <summary>Gets or sets the most calls in one session.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public int? MaxStepsPerSession { get; set; }

    /// <summary>Gets or sets how often the model may ask for the same tool call (same function, same arguments) in one turn.</summary>
    /// <value>The default is 3: the fourth identical request trips.</value>
    public int? MaxIdenticalToolCalls { get; set; } = 3;

    /// <summary>Gets or sets the most one turn may spend (at the serving targets' prices); a call that finds it reached trips.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public decimal? MaxSpendPerTurn { get; set; }

    /// <summary>Gets or sets the most one session may spend.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public decimal? MaxSpendPerSession { get; set; }

    /// <summary>Gets or sets what happens when a limit is passed.</summary>
    /// <value>The default is <see cref="LoopAction.Throw"/>.</value>
    public LoopAction OnTrip { get; set; } = LoopAction.Throw;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Positive(MaxStepsPerTurn, nameof(MaxStepsPerTurn));
        Positive(MaxStepsPerSession, nameof(MaxStepsPerSession));
        Positive(MaxIdenticalToolCalls, nameof(MaxIdenticalToolCalls));
        if (MaxSpendPerTurn is <= 0)
        {
            throw new ArgumentException($"{SectionName}:MaxSpendPerTurn must be positive (was {MaxSpendPerTurn}).", nameof(MaxSpendPerTurn));
        }

        if (MaxSpendPerSession is <= 0)
        {
            throw new ArgumentException($"{SectionName}:MaxSpendPerSession must be positive (was {MaxSpendPerSession}).", nameof(MaxSpendPerSession));
        }

        if (!Enum.IsDefined(OnTrip))
        {
            throw new ArgumentException($"{SectionName}:OnTrip must be Throw or Downgrade (was {(int)OnTrip}).", nameof(OnTrip));
        }
    }

    private static void Positive(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentException($"{SectionName}:{name} must be at least 1 (was {value}).", name);
        }
    }
}
