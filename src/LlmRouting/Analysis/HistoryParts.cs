using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>A stable message's signals at the two weights the analyzer uses, each read once (written once, read with volatile semantics).</summary>
internal struct Reading
{
    /// <summary>At weight 1 (the last user message).</summary>
    public TextSignals? Latest;

    /// <summary>At <see cref="RequestAnalyzer.EarlierTurnWeight"/>.</summary>
    public TextSignals? Earlier;
}

/// <summary>The facts a memo keeps about where its conversation stands: the last user message, the last turn, the assistant messages since.</summary>
internal struct Facts(int lastUser, int lastTurn, int assistants)
{
    public int LastUser = lastUser;
    public int LastTurn = lastTurn;
    public int Assistants = assistants;

    /// <summary>Takes message <paramref name="index"/> into account.</summary>
    public void Add(int index, ChatMessage message)
    {
        if (message.Role == ChatRole.User)
        {
            LastUser = index;
            if (Agents.AgentSteps.StartsTurn(message))
            {
                (LastTurn, Assistants) = (index, 0);
            }
        }
        else if (message.Role == ChatRole.Assistant)
        {
            Assistants++;
        }
    }
}

/// <summary>The per-message integer sums a <see cref="HistoryMemo"/> keeps.</summary>
internal enum SumSlot
{
    /// <summary>The token estimate, framing included.</summary>
    Tokens,

    /// <summary>The number of images.</summary>
    Images,
}
