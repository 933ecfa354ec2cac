using Microsoft.Extensions.AI;

namespace LlmRouting.Audits;

/// <summary>What an <see cref="IAnswerComparer"/> compares: the conversation and two answers to its last turn.</summary>
/// <param name="Messages">The conversation the answers respond to.</param>
/// <param name="ServedAnswer">The answer the caller got (from the cheaper target).</param>
/// <param name="ReferenceAnswer">The reference target's answer.</param>
/// <param name="ServedTarget">The target that served.</param>
/// <param name="ReferenceTarget">The reference target.</param>
public sealed record AnswerComparison(IReadOnlyList<ChatMessage> Messages, string ServedAnswer, string ReferenceAnswer, string ServedTarget, string ReferenceTarget);
