using Microsoft.Extensions.AI;

namespace LlmRouting.Analysis;

/// <summary>
/// The built-in analyzer: one linear pass over each text, keyword and structure signals for the task, a
/// complexity score, risk domains, and personal data (e-mail, phone, Luhn-checked cards, mod-97 IBANs, US SSNs,
/// IP addresses). No regular expressions, no model, no network; microseconds per kilobyte.
/// </summary>
/// <remarks>
/// The latest user turn counts fully and earlier user turns at <see cref="EarlierTurnWeight"/>; personal data is
/// searched in everything that carries text, because a leak through any of it is a leak: every message (system
/// prompts and assistant turns included), <see cref="ChatOptions.Instructions"/>, reasoning, tool-call names and
/// arguments, tool results of any shape (walked with depth and size limits, never <c>ToString()</c>-ed), text
/// attachments and URIs, after Unicode normalisation (see <c>docs/security.md</c>).
/// The vocabulary is English; non-Latin text still yields length, structure and personal-data signals. Thread-safe.
/// </remarks>
public sealed class RequestAnalyzer : IRequestAnalyzer
{
    /// <summary>The weight of earlier user turns relative to the latest one.</summary>
    public const float EarlierTurnWeight = 0.3f;

    /// <summary>Gets the shared instance.</summary>
    public static RequestAnalyzer Default { get; } = new();

    /// <inheritdoc/>
    public RequestAnalysis Analyze(RoutingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var signals = new TextSignals();
        IReadOnlyList<ChatMessage> messages = request.Messages;

        // A long conversation: what the earlier steps read is kept (HistoryMemo); only new and mutable messages are read.
        if (request.History is { } history)
        {
            history.AddSignals(signals);
            _ = AddInstructions(request, signals);
            return Build(signals, request.MessageCount);
        }

        int lastUser = -1;
        for (int m = messages.Count - 1; m >= 0; m--)
        {
            if (messages[m].Role == ChatRole.User)
            {
                lastUser = m;
                break;
            }
        }

        bool empty = !AddInstructions(request, signals);

        // A short conversation is read directly: keeping its readings would cost more than reading it. The first message
        // goes straight into the still-empty accumulator (0 + x is x, so the sums are those of adding its own reading).
        for (int m = 0; m < messages.Count; m++)
        {
            float weight = m == lastUser ? 1f : EarlierTurnWeight;
            if (m == 0 && empty)
            {
                MessageSignals.ReadInto(signals, messages[m], weight);
            }
            else
            {
                signals.Add(MessageSignals.Read(messages[m], weight));
            }
        }

        return Build(signals, request.MessageCount);
    }

    /// <summary>Instructions travel with every request like a system prompt: searched for personal data (counts only, so the order of addition does not matter).</summary>
    /// <returns>Whether there were instructions to read.</returns>
    private static bool AddInstructions(RoutingRequest request, TextSignals signals)
    {
        if (request.Options?.Instructions is { Length: > 0 } instructions)
        {
            signals.Scan(instructions, EarlierTurnWeight, piiOnly: true);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public RequestAnalysis AnalyzeText(ReadOnlySpan<char> text)
    {
        var signals = new TextSignals();
        signals.Scan(text, 1f);
        return Build(signals, 1);
    }

    internal static RequestAnalysis Build(TextSignals s, int messageCount)
    {
        float[] scores = s.TaskScores;

        // Structure is evidence too: code fences and code-shaped lines mean code, formulas mean maths.
        scores[(int)TaskType.Code] += s.CodeFences + Math.Min(3f, s.CodeLines * 0.5f);
        scores[(int)TaskType.Math] += Math.Min(3f, s.FormulaChars * 0.5f);

        TaskType task = TaskType.Chat;
        float best = 0.5f; // below this, it is general chat
        for (int t = 0; t < scores.Length; t++)
        {
            if (scores[t] > best)
            {
                best = scores[t];
                task = (TaskType)t;
            }
        }

        double words = Math.Max(1, s.Words);
        double lengthTerm = Math.Min(1, Math.Log10(1 + s.Words) / 3.3);               // ~2 000 words saturate
        double stepsTerm = Math.Min(1, (s.Steps + s.ListItems) / 6.0);
        double constraintTerm = Math.Min(1, s.Constraints / 4.0);
        double codeTerm = s.CodeFences > 0 ? 1 : Math.Min(1, s.CodeLines / 5.0);
        double formulaDensity = s.FormulaChars / Math.Max(1.0, s.Chars / 100.0);
        double formulaTerm = Math.Min(1, formulaDensity / 2);
        double technicalDensity = s.Technical / words;
        double technicalTerm = Math.Min(1, technicalDensity * 15);
        double depthTerm = Math.Min(1, (messageCount - 1) / 10.0);
        double taskTerm = task is TaskType.Reasoning or TaskType.Math or TaskType.Code ? 0.5 : 0;
        double complexity = Math.Clamp(
            (0.30 * lengthTerm) + (0.15 * stepsTerm) + (0.12 * constraintTerm) + (0.12 * codeTerm) + (0.08 * formulaTerm) +
            (0.10 * technicalTerm) + (0.05 * depthTerm) + (0.08 * taskTerm),
            0,
            1);

        RiskDomains domains = RiskDomains.None;
        float maxDomain = 0;
        for (int d = 0; d < 3; d++)
        {
            if (s.DomainHits[d] >= 0.99f)
            {
                domains |= (RiskDomains)(1 << d);
            }

            maxDomain = Math.Max(maxDomain, s.DomainHits[d]);
        }

        bool sensitivePii = (s.Pii & (PiiKinds.CreditCard | PiiKinds.Iban | PiiKinds.NationalId)) != 0;
        int riskScore = (int)Math.Min(3, Math.Floor(maxDomain)) + (sensitivePii ? 2 : s.Pii != PiiKinds.None ? 1 : 0);
        RiskLevel risk = riskScore switch
        {
            0 => RiskLevel.None,
            1 => RiskLevel.Low,
            2 or 3 => RiskLevel.Medium,
            _ => RiskLevel.High,
        };

        float[] features = new float[RequestAnalysis.FeatureCount];
        features[0] = (float)complexity;
        features[1] = (float)Math.Min(1, Math.Log10(1 + s.Chars) / 6);
        features[2] = (float)lengthTerm;
        features[3 + (int)task] = 1;
        features[12] = (float)risk / 3f;
        features[13] = Math.Min(1, s.DomainHits[0] / 3);
        features[14] = Math.Min(1, s.DomainHits[1] / 3);
        features[15] = Math.Min(1, s.DomainHits[2] / 3);
        features[16] = Math.Min(1, s.PiiCount / 3f);
        features[17] = (float)codeTerm;
        features[18] = (float)formulaTerm;
        features[19] = (float)Math.Min(1, s.Digits / Math.Max(1.0, s.Chars) * 5);
        features[20] = Math.Min(1, s.Questions / 3f);
        features[21] = (float)stepsTerm;
        features[22] = (float)constraintTerm;
        features[23] = (float)technicalTerm;
        features[24] = (float)Math.Min(1, s.Uppercase / Math.Max(1.0, s.Chars) * 5);
        features[25] = (float)Math.Min(1, s.NonAscii / Math.Max(1.0, s.Chars));

        return new RequestAnalysis(task, scores, complexity, risk, domains, s.Pii, s.PiiCount, (int)Math.Min(int.MaxValue, s.Words), features)
        {
            UnreadParts = s.Unread,
            PremiumNeed = PremiumNeedScore.Compute(s, codeTerm, messageCount),
        };
    }
}
