namespace LlmRouting;

/// <summary>What a call of an agent loop is: the first call of a user's turn, a continuation after tool results, or the answer that ends the turn.</summary>
/// <remarks>Read from the request alone (see <see cref="RoutingRequest.StepKind"/>), so every strategy, rule and filter can use it.</remarks>
public enum StepKind
{
    /// <summary>The conversation ends with a user message: the first call of a turn.</summary>
    UserTurn,

    /// <summary>The conversation ends with tool results and tools are still offered: the model may call more tools.</summary>
    ToolContinuation,

    /// <summary>The conversation ends with tool results and no tool is offered (none, or <see cref="Microsoft.Extensions.AI.ChatToolMode.None"/>): the model must answer.</summary>
    FinalAnswer,
}
