using System.Globalization;
using System.Reflection;
using System.Text;
using LlmRouting.Analysis;
using Microsoft.Extensions.AI;
using LlmRouting.Tests.Analysis.Reference;

namespace LlmRouting.Tests.Analysis;

/// <summary>
/// The vectorised scan (<see cref="TextSignals"/>) gives exactly the signals of the scan it replaced
/// (<see cref="ReferenceTextSignals"/>, kept verbatim) on a large generated corpus: every count, every weighted sum
/// bit for bit, every kind of personal data, in both modes (full and personal-data only) and at both weights.
/// </summary>
public sealed class AnalyzerEquivalenceTests
{
    private static readonly string[] Words = [.. Keywords.Table.Keys, .. PremiumNeedCues.Table.Keys, "the", "a", "report", "Quarterly", "don't", "it's", "O'Brien", "naïve", "café", "Straße", "İstanbul", "KELVIN", "\u212Aelvin", "привет", "日本語", "x1", "h2o", "abc123def"];

    private static readonly string[] Pieces =
    [
        " ", " ", " ", "  ", "\t", "\n", "\r\n", "\n\n", ". ", ", ", "; ", ": ", "! ", "? ", "?", ".", "!", "(", ")", "\"", "'", "`", "```", "```python\n", "=", "^", "*", "- ", "* ", "• ",
        "∑", "√", "≤", "×", "{", "}", ";\n", "{\n", "}\n", "/", "\\", "_", "#", "$", "%", "&", "<", ">", "[", "]", "|", "~", "+", "@", "-", "—", "\u00A0", "\u200B", "\u00AD", "\uFEFF",
        "1. ", "2) ", "42", "3.14", "2024-05-01", "12/28", "+44 20 7946 0958", "(555) 123-4567", "555.123.4567", "+33.1.23.45.67.89", "123-45-6789", "123 45 6789",
        "4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111 12/28 123", "5500 0000 0000 0004", "41 11 11 11 11 11 11 11", "192.168.0.1", "10.0.0.256",
        "2001:db8::1", "12:AB::CD:1", "12:ab", "DE89 3704 0044 0532 0130 00", "de89370400440532013000", "GB82-WEST-1234-5698-7654-32", "jane.doe@example.co.uk", "j@x.io", "user@пример.рф",
        "a@b", "@home", "ＡＢＣ", "４１１１ １１１１ １１１１ １１１１", "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "😀", "\uD800", "é", "ﬁ", "0123456789012345678901234567890123456789012345678901",
        "\nA. ", "\nb) ", "\n(C) ", "\n  D: ", "\n\tE.\t", "\nK. ", "\nAB. ", "\nA.", "\n(a)", "\n         F. ", "\n        G) ", "A) ",
        "supercalifragilisticexpialidociousandmorelettersbeyondthirtytwo", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "x'DE89 3704 0044 0532 0130 00", "12'DE89", "1b'ab", "e-mail", "C#", "o(n)", "Step by step",
    ];

    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void GeneratedCorpus_GivesTheReferenceSignals(int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < 1_000; n++)
        {
            string text = Generate(random, random.Next(0, 400));
            bool piiOnly = random.Next(4) == 0;
            float weight = random.Next(2) == 0 ? 1f : RequestAnalyzer.EarlierTurnWeight;
            var expected = new ReferenceTextSignals();
            var actual = new TextSignals();
            expected.Scan(text, weight, piiOnly);
            actual.Scan(text, weight, piiOnly);
            Assert.True(Snapshot(expected) == Snapshot(actual), $"seed {seed}, text {n}, piiOnly {piiOnly}: \"{Escape(text)}\"\nexpected {Snapshot(expected)}\nactual   {Snapshot(actual)}");
        }
    }

    [Fact]
    public void RealisticPrompts_GiveTheReferenceSignals()
    {
        string[] prompts =
        [
            "Explain why the proof fails if n is odd, step by step. Do not use more than 3 lemmas.",
            "```csharp\npublic int Sum(int[] xs) { return xs.Sum(); }\n```\nWhy does this throw a NullReferenceException?",
            "- first item\n- second item\n1. numbered\n2) also numbered\nCall me at +1 (555) 123-4567 or mail jane@example.com.",
            "Pay with 4111 1111 1111 1111 12/28 123, IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789, server 10.0.0.1.",
            "A. Which of these is prime?\nA. 4\nB) 9\n (C) 11\n\tD: 15\nAnswer:",
            string.Concat(Enumerable.Repeat("The quarterly revenue report for our customers shows a drop; suggest what to check next? ", 200)),
        ];

        foreach (string prompt in prompts)
        {
            var expected = new ReferenceTextSignals();
            var actual = new TextSignals();
            expected.Scan(prompt, 1f);
            actual.Scan(prompt, 1f);
            Assert.Equal(Snapshot(expected), Snapshot(actual));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Conversations_GiveTheAnalysisOfTheirMessagesReadingsAdded(int seed)
    {
        // The analyzer reads the first message straight into its accumulator; adding each message's own reading to an empty
        // accumulator (as it did) must give the same analysis, bit for bit, with and without instructions and any roles.
        var random = new Random(seed);
        ChatRole[] roles = [ChatRole.User, ChatRole.Assistant, ChatRole.System, ChatRole.Tool];
        for (int n = 0; n < 300; n++)
        {
            var messages = new List<ChatMessage>();
            for (int m = random.Next(1, 5); m > 0; m--)
            {
                messages.Add(new(roles[random.Next(roles.Length)], Generate(random, random.Next(0, 200))));
            }

            var options = random.Next(3) == 0 ? new ChatOptions { Instructions = Generate(random, random.Next(1, 60)) } : null;
            var request = new RoutingRequest(messages, options);
            int lastUser = messages.FindLastIndex(m => m.Role == ChatRole.User);
            var signals = new TextSignals();
            if (options?.Instructions is { Length: > 0 } instructions)
            {
                signals.Scan(instructions, RequestAnalyzer.EarlierTurnWeight, piiOnly: true);
            }

            for (int m = 0; m < messages.Count; m++)
            {
                signals.Add(MessageSignals.Read(messages[m], m == lastUser ? 1f : RequestAnalyzer.EarlierTurnWeight));
            }

            Assert.True(Describe(RequestAnalyzer.Build(signals, messages.Count)) == Describe(RequestAnalyzer.Default.Analyze(request)), $"seed {seed}, conversation {n}");
        }

        static string Describe(RequestAnalysis a)
        {
            float[] features = new float[RequestAnalysis.FeatureCount];
            a.WriteFeatures(features);
            return string.Join(' ', a.ToString(), BitConverter.DoubleToInt64Bits(a.Complexity), BitConverter.DoubleToInt64Bits(a.PremiumNeed), a.PiiCount, a.UnreadParts, a.Words, string.Join('/', features.Select(Exact)),
                string.Join('/', Enum.GetValues<TaskType>().Select(t => BitConverter.DoubleToInt64Bits(a.GetTaskScore(t)))));
        }
    }

    private static string Generate(Random random, int pieces)
    {
        var text = new StringBuilder();
        for (int p = 0; p < pieces; p++)
        {
            int kind = random.Next(10);
            if (kind < 5)
            {
                string word = Words[random.Next(Words.Length)];
                text.Append(random.Next(6) switch
                {
                    0 => word.ToUpperInvariant(),
                    1 => char.ToUpperInvariant(word[0]) + word[1..],
                    _ => word,
                });
            }
            else if (kind < 9)
            {
                text.Append(Pieces[random.Next(Pieces.Length)]);
            }
            else
            {
                text.Append((char)random.Next(0, 0x3000));
            }
        }

        return text.ToString();
    }

    private static string Snapshot(TextSignals signals) => Snapshot(signals, signals.Cues);

    private static string Snapshot(ReferenceTextSignals signals) => Snapshot(signals, signals.Cues);

    private static string Snapshot(object signals, PremiumNeedCues cues)
    {
        var result = new StringBuilder();
        result.Append("Cues=").AppendJoin('/', typeof(PremiumNeedCues).GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}:{Exact((float)p.GetValue(cues)!)}")).Append(' ');
        foreach (PropertyInfo property in signals.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => !p.PropertyType.IsByRef).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            object? value = property.GetValue(signals);
            result.Append(property.Name).Append('=').Append(value switch
            {
                float[] array => string.Join('/', array.Select(Exact)),
                float f => Exact(f),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            }).Append(' ');
        }

        return result.ToString();
    }

    private static string Exact(float value) => BitConverter.SingleToInt32Bits(value).ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => string.Concat(text.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));
}
