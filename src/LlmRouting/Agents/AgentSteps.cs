using Microsoft.Extensions.AI;

namespace LlmRouting.Agents;

/// <summary>Reads the step kind and the step index of a request from its messages and options (no state).</summary>
internal static class AgentSteps
{
    /// <summary>The step kind: a user turn when the conversation ends with a user message (or has no continuation), else a continuation.</summary>
    public static StepKind KindOf(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            ChatMessage message = messages[i];
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            if (message.Role == ChatRole.User && !HasToolResult(message))
            {
                return StepKind.UserTurn;
            }

            if (message.Role == ChatRole.Tool || HasToolResult(message))
            {
                bool toolsOffered = options?.Tools is { Count: > 0 } && options.ToolMode is not NoneChatToolMode;
                return toolsOffered ? StepKind.ToolContinuation : StepKind.FinalAnswer;
            }

            return StepKind.UserTurn;
        }

        return StepKind.UserTurn;
    }

    /// <summary>The 1-based index of this call within its turn: one more than the assistant messages since the last user message.</summary>
    /// <returns>The index, or 0 when the request holds no user message (the history is kept by the provider: a tracker supplies it).</returns>
    public static int IndexOf(IReadOnlyList<ChatMessage> messages)
    {
        int assistants = 0;
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            ChatMessage message = messages[i];
            if (message.Role == ChatRole.User && !HasToolResult(message))
            {
                return assistants + 1;
            }

            if (message.Role == ChatRole.Assistant)
            {
                assistants++;
            }
        }

        return 0;
    }

    /// <summary>The index of the last user message that is not a tool result, or -1.</summary>
    public static int LastUserIndex(IReadOnlyList<ChatMessage> messages)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User && !HasToolResult(messages[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="message"/> starts a turn: a user message that is not a tool result.</summary>
    public static bool StartsTurn(ChatMessage message) => message.Role == ChatRole.User && !HasToolResult(message);

    private static bool HasToolResult(ChatMessage message)
    {
        foreach (AIContent content in message.Contents)
        {
            if (content is FunctionResultContent)
            {
                return true;
            }
        }

        return false;
    }
}
