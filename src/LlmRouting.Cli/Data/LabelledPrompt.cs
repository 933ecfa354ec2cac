using LlmRouting.Analysis;
using Microsoft.Extensions.AI;

namespace LlmRouting.Cli.Data;

/// <summary>One prompt with the weak and strong models' outcomes (1/0 for correctness, or a numeric score).</summary>
/// <param name="Prompt">The prompt text: of a conversation, its latest user message (what the library's text routers read).</param>
/// <param name="Weak">The weak (cheap) model's outcome.</param>
/// <param name="Strong">The strong (premium) model's outcome.</param>
/// <param name="Group">The source file name without extension (e.g. the MMLU subject).</param>
internal sealed record LabelledPrompt(string Prompt, double Weak, double Strong, string Group)
{
    /// <summary>Gets the conversation the prompt ends, when the data gives one (a JSONL array of turns or messages); <see langword="null"/> for a single user message.</summary>
    public IReadOnlyList<ChatMessage>? Conversation { get; init; }

    /// <summary>A new list of the messages a caller would send: the conversation, or the prompt as one user message.</summary>
    /// <returns>The messages (a fresh list; the messages themselves are shared).</returns>
    public List<ChatMessage> Messages() => Conversation is { } conversation ? [.. conversation] : [new ChatMessage(ChatRole.User, Prompt)];

    /// <summary>The analyzer's view of the request, as the router makes it: of the whole conversation when there is one.</summary>
    /// <returns>The analysis.</returns>
    public RequestAnalysis Analyze() =>
        Conversation is { } conversation ? RequestAnalyzer.Default.Analyze(new RoutingRequest(conversation)) : RequestAnalyzer.Default.AnalyzeText(Prompt);
}
