namespace LlmRouting.Agents;

/// <summary>How a conversation keeps its target from turn to turn.</summary>
public enum ConversationAffinityMode
{
    /// <summary>The conversation stays on its target; it moves only when that target can no longer serve (capability, context window, data policy, health, removed).</summary>
    Stay,

    /// <summary>As <see cref="Stay"/>, but the strategies are asked every turn and may move the conversation to a higher tier — never to a lower one.</summary>
    StayOrEscalate,

    /// <summary>No affinity: every call is routed on its own (turn accounting and loop detection still work).</summary>
    Off,
}
