namespace LlmRouting.Agents;

/// <summary>The loop-detection limit that was passed.</summary>
public enum LoopLimit
{
    /// <summary>More calls in one turn than <see cref="LoopDetectionOptions.MaxStepsPerTurn"/>.</summary>
    StepsPerTurn,

    /// <summary>More calls in one session than <see cref="LoopDetectionOptions.MaxStepsPerSession"/>.</summary>
    StepsPerSession,

    /// <summary>The model asked for the same tool call (same function, same arguments) more often in one turn than <see cref="LoopDetectionOptions.MaxIdenticalToolCalls"/>.</summary>
    IdenticalToolCalls,

    /// <summary>The turn has spent <see cref="LoopDetectionOptions.MaxSpendPerTurn"/> or more.</summary>
    SpendPerTurn,

    /// <summary>The session has spent <see cref="LoopDetectionOptions.MaxSpendPerSession"/> or more.</summary>
    SpendPerSession,
}
