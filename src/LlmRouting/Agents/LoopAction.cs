namespace LlmRouting.Agents;

/// <summary>What loop detection does when a limit is passed.</summary>
public enum LoopAction
{
    /// <summary>The call is refused with <see cref="AgentLoopDetectedException"/>, carrying the evidence; no target is called.</summary>
    Throw,

    /// <summary>The call goes to the cheapest candidate (lowest tier, then price) instead of the decided target.</summary>
    Downgrade,
}
