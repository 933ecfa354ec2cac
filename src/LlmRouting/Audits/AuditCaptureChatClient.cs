using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmRouting.Audits;

/// <summary>
/// A target decorator that keeps the answer of a sampled request for the auditor (<see cref="QualityAuditor"/>), keyed by
/// the request's last message; nothing is kept for requests not sampled, and the auditor takes the answer when the route ends.
/// </summary>
internal sealed class AuditCaptureChatClient : DelegatingChatClient
{
    private readonly QualityAuditor _auditor;

    public AuditCaptureChatClient(IChatClient inner, QualityAuditor auditor)
        : base(inner)
    {
        _auditor = auditor;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!_auditor.ShouldCapture())
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        _auditor.Capture(messages, response.Text);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StringBuilder? answer = _auditor.ShouldCapture() ? new StringBuilder() : null;
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            answer?.Append(update.Text);
            yield return update;
        }

        if (answer is not null)
        {
            _auditor.Capture(messages, answer.ToString());
        }
    }
}
