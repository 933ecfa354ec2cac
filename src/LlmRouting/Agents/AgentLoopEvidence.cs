using System.Globalization;

namespace LlmRouting.Agents;

/// <summary>Why loop detection tripped: the limit, its value, what was observed, and where (no prompt text, no tool arguments).</summary>
/// <param name="Limit">The limit that was passed.</param>
/// <param name="Threshold">The configured value of the limit (calls, or money for spend limits).</param>
/// <param name="Observed">What was observed (calls, identical requests, or money spent).</param>
/// <param name="StepIndex">The index of the refused or downgraded call within its turn.</param>
/// <param name="Function">For <see cref="LoopLimit.IdenticalToolCalls"/>, the name of the tool the model kept asking for.</param>
/// <param name="Action">What was done.</param>
public sealed record AgentLoopEvidence(LoopLimit Limit, decimal Threshold, decimal Observed, int StepIndex, string? Function, LoopAction Action)
{
    /// <inheritdoc/>
    public override string ToString() => Limit switch
    {
        LoopLimit.IdenticalToolCalls => string.Create(CultureInfo.InvariantCulture, $"the model asked for the same call to '{Function}' {Observed} times in one turn (limit {Threshold})"),
        LoopLimit.StepsPerTurn => string.Create(CultureInfo.InvariantCulture, $"call {Observed} of one turn (limit {Threshold})"),
        LoopLimit.StepsPerSession => string.Create(CultureInfo.InvariantCulture, $"call {Observed} of one session (limit {Threshold})"),
        LoopLimit.SpendPerTurn => string.Create(CultureInfo.InvariantCulture, $"the turn has spent {Observed:0.######} (limit {Threshold:0.######})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"the session has spent {Observed:0.######} (limit {Threshold:0.######})"),
    };
}
