using LlmRouting.Agents;

namespace LlmRouting;

/// <summary>The agent view of the request: step kind, step index, agent role, conversation.</summary>
public sealed partial class RoutingRequest
{
    private StepKind? _stepKind;
    private int _stepIndex = -1;
    private int _lastTurn = -2;

    /// <summary>Gets what this call of an agent loop is: a user turn, a continuation after tool results, or the final answer.</summary>
    public StepKind StepKind => _stepKind ??= AgentSteps.KindOf(Messages, Options);

    /// <summary>Gets the 1-based index of this call within its turn (1 for the user turn, 2 for the first continuation after tool results, …).</summary>
    /// <value>
    /// Counted from the messages; when they hold no user message (the provider keeps the history, <see cref="ConversationId"/>)
    /// conversation affinity or loop detection supply it from their turn records, else it is 0.
    /// </value>
    public int StepIndex
    {
        get
        {
            if (_stepIndex < 0)
            {
                _stepIndex = History is { } history && history.TryGetTurn(out int lastTurn, out int assistants)
                    ? (lastTurn < 0 ? 0 : assistants + 1)
                    : AgentSteps.IndexOf(Messages);
            }

            return _stepIndex;
        }

        internal set => _stepIndex = value;
    }

    /// <summary>Gets the index of the last user message that starts a turn (not a tool result), or -1: from the history's memo on a long conversation.</summary>
    internal int LastTurnIndex
    {
        get
        {
            if (_lastTurn < -1)
            {
                _lastTurn = History is { } history && history.TryGetTurn(out int lastTurn, out _) ? lastTurn : AgentSteps.LastUserIndex(Messages);
            }

            return _lastTurn;
        }
    }

    /// <summary>Gets the agent role from the request metadata (<see cref="RequestMetadataKeys.AgentRole"/>), if any.</summary>
    public string? AgentRole => Metadata(RequestMetadataKeys.AgentRole);

    /// <summary>Gets the provider-side conversation id (<see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/>), if any.</summary>
    public string? ConversationId => Options?.ConversationId;

    /// <summary>Gets the agent bookkeeping of this request (session, turn, pin, loop check), when agent features are on.</summary>
    internal AgentStep? Agent { get; set; }
}
