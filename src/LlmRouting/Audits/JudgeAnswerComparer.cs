using LlmRouting.Costs;
using System.Text;
using Microsoft.Extensions.AI;
using LlmRouting.Accounting;

namespace LlmRouting.Audits;

/// <summary>Compares two answers by asking a chat model a strict pairwise question: reply <c>A</c>, <c>B</c> or <c>TIE</c>, nothing else.</summary>
/// <remarks>
/// <para>
/// Answer A is the served answer and B the reference. The reply is trimmed, upper-cased and stripped of a final full
/// stop; anything but <c>A</c>, <c>B</c> or <c>TIE</c> breaks the parse contract and throws <see cref="FormatException"/>
/// (the audit then records no label). The call is cancelled after the timeout. The judge receives the request and both
/// answers: the auditor only asks it about requests it may receive under the sensitivity policy.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class JudgeAnswerComparer : IAnswerComparer
{
    /// <summary>The instructions the judge gets.</summary>
    public const string Instructions =
        "You compare two answers to the same request. Reply with exactly one token and nothing else: " +
        "A if answer A is better, B if answer B is better, TIE if they are equally good (both right, or both equally wrong).";

    private readonly IChatClient _judge;
    private readonly TargetProfile? _profile;
    private readonly TimeSpan _timeout;

    /// <summary>Initializes a new instance of the <see cref="JudgeAnswerComparer"/> class.</summary>
    /// <param name="judge">The chat model asked.</param>
    /// <param name="profile">Its prices, to account the judge's cost; <see langword="null"/> counts it free.</param>
    /// <param name="timeout">How long the judge may take.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public JudgeAnswerComparer(IChatClient judge, TargetProfile? profile, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _judge = judge;
        _profile = profile;
        _timeout = timeout;
    }

    /// <inheritdoc/>
    public async ValueTask<AnswerComparisonResult> CompareAsync(AnswerComparison comparison, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        List<ChatMessage> question = [new(ChatRole.System, Instructions), new(ChatRole.User, Question(comparison))];
        ChatResponse response = await _judge.GetResponseAsync(question, new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }, timeout.Token).ConfigureAwait(false);
        decimal cost = _profile is null ? 0m : RoutingCost.Compute(response.Usage, _profile) ?? 0m;
        return new AnswerComparisonResult(Parse(response.Text), cost);
    }

    /// <summary>Reads a judge's reply under the parse contract.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>The verdict (A = served better, B = reference better).</returns>
    /// <exception cref="FormatException">The reply is not <c>A</c>, <c>B</c> or <c>TIE</c> (the message never quotes it).</exception>
    public static AuditVerdict Parse(string? reply)
    {
        string token = (reply ?? string.Empty).Trim().TrimEnd('.').Trim().ToUpperInvariant();
        return token switch
        {
            "A" => AuditVerdict.ServedBetter,
            "B" => AuditVerdict.ReferenceBetter,
            "TIE" => AuditVerdict.Tie,
            _ => throw new FormatException("The judge's reply is not A, B or TIE."),
        };
    }

    private static string Question(AnswerComparison comparison)
    {
        var text = new StringBuilder();
        text.Append("Request:\n<<<\n");
        foreach (ChatMessage message in comparison.Messages)
        {
            if (message.Role != ChatRole.System && !string.IsNullOrEmpty(message.Text))
            {
                text.Append(message.Role.Value).Append(": ").Append(message.Text).Append('\n');
            }
        }

        text.Append(">>>\n\nAnswer A:\n<<<\n").Append(comparison.ServedAnswer).Append("\n>>>\n\nAnswer B:\n<<<\n").Append(comparison.ReferenceAnswer).Append("\n>>>\n\nReply A, B or TIE.");
        return text.ToString();
    }
}
