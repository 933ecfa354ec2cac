using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Filtering;

namespace LlmRouting.Tests;

/// <summary>Detection over every format and every part of a request: the analyzer is the first line of the data policy.</summary>
public class PersonalDataDetectionTests
{
    public static TheoryData<string, PiiKinds> Formats() => new()
    {
        { "card 4111 1111 1111 1111 12/28", PiiKinds.CreditCard },
        { "card 4111 1111 1111 1111 12/28 123", PiiKinds.CreditCard },
        { "card 4111111111111111 12/2028 999", PiiKinds.CreditCard },
        { "amex 3782 822463 10005", PiiKinds.CreditCard },
        { "card 4111 11111111 1111", PiiKinds.CreditCard },
        { "card ４１１１ １１１１ １１１１ １１１１", PiiKinds.CreditCard },
        { "card 4111\u200B1111\u200B1111\u200B1111", PiiKinds.CreditCard },
        { "card 4111\u00A01111\u00A01111\u00A01111", PiiKinds.CreditCard },
        { "card 4111–1111–1111–1111", PiiKinds.CreditCard },
        { "mail jane@exämple.de", PiiKinds.Email },
        { "mail jane@почта.рф", PiiKinds.Email },
        { "mail jane＠example.com", PiiKinds.Email },
        { "mail ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", PiiKinds.Email },
        { "mail ja\u200Bne@exam\u200Cple.com", PiiKinds.Email },
        { "iban de89 3704 0044 0532 0130 00", PiiKinds.Iban },
        { "iban DE89-3704-0044-0532-0130-00", PiiKinds.Iban },
        { "iban gb82west12345698765432", PiiKinds.Iban },
        { "call 555.123.4567", PiiKinds.Phone },
        { "call +33.1.23.45.67.89", PiiKinds.Phone },
        { "call ５５５-１２３-４５６７", PiiKinds.Phone },
        { "ssn 123 45 6789", PiiKinds.NationalId },
        { "ssn 123-45-6789", PiiKinds.NationalId },
        { "ssn １２３-４５-６７８９", PiiKinds.NationalId },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void EveryCommonFormat_IsDetected(string text, PiiKinds kind) =>
        Assert.Equal(kind, RequestAnalyzer.Default.AnalyzeText(text).Pii);

    [Theory]
    [InlineData("card 4111 1111 1111 1112 12/28")]        // fails Luhn
    [InlineData("order 4111 1111 1111 1111 77")]          // a trailing 2-digit group is not an expiry
    [InlineData("iban de89 3704 0044 0532 0130 01")]       // fails mod 97
    [InlineData("pi is 3.14159265358979")]                // a decimal is not a phone
    [InlineData("version 10.2.15 released 2026.01.15")]   // versions and dates are not phones
    [InlineData("ssn 123 45 678")]                        // wrong shape
    [InlineData("ratio 1:2 and 3:4")]
    public void NearMisses_AreNotFlagged(string text) => Assert.Equal(PiiKinds.None, RequestAnalyzer.Default.AnalyzeText(text).Pii);

    /// <summary>Property: generated personal data of every kind and format, placed in every part of a request, is found.</summary>
    [Fact]
    public void Property_GeneratedPersonalData_IsFoundInEveryPart()
    {
        var random = new Random(14_2026);
        int checks = 0;
        for (int round = 0; round < 8; round++)
        {
            foreach (PersonalData.Sample sample in PersonalData.All(random))
            {
                Assert.True(RequestAnalyzer.Default.AnalyzeText(sample.Text).Pii.HasFlag(sample.Kind), $"{sample} '{sample.Text}' was not detected as {sample.Kind}.");
                foreach (string part in PersonalData.Parts)
                {
                    (List<ChatMessage> messages, ChatOptions options) = PersonalData.Place(sample.Text, part);
                    RequestAnalysis analysis = new RoutingRequest(messages, options).Analysis;
                    Assert.True(analysis.Pii.HasFlag(sample.Kind), $"{sample} '{sample.Text}' in {part} was not detected (found {analysis.Pii}).");
                    checks++;
                }
            }
        }

        Assert.True(checks > 3000);
    }

    [Fact]
    public void InnocuousRequests_InEveryPart_AreNotFlagged()
    {
        foreach (string part in PersonalData.Parts)
        {
            (List<ChatMessage> messages, ChatOptions options) = PersonalData.Place("the quarterly report", part);
            RequestAnalysis analysis = new RoutingRequest(messages, options).Analysis;
            Assert.True(analysis.Pii == PiiKinds.None, $"{part}: {analysis.Pii}");
            Assert.Equal(0, analysis.UnreadParts);
        }
    }

    [Fact]
    public void ARecursiveToString_IsNeverCalled_AndTheProcessSurvives()
    {
        (List<ChatMessage> messages, ChatOptions options) = PersonalData.Place("jane@example.com", "tool-result-recursive-tostring");
        var request = new RoutingRequest(messages, options);

        Assert.Equal(PiiKinds.Email, request.Analysis.Pii);
        Assert.True(request.EstimatedInputTokens > 0);
    }

    [Fact]
    public void ToolResultsBeyondTheLimits_AreCountedAsUnread_NotCrashed()
    {
        // 10 000 levels deep: the walk stops at its depth limit instead of overflowing the stack.
        object deep = "jane@example.com";
        for (int i = 0; i < 10_000; i++)
        {
            deep = new List<object?> { deep };
        }

        var cyclic = new List<object?> { "bob@example.org" };
        cyclic.Add(cyclic);

        RequestAnalysis deepAnalysis = Analyze(deep);
        RequestAnalysis cyclicAnalysis = Analyze(cyclic);
        RequestAnalysis endless = Analyze(Endless());

        Assert.True(deepAnalysis.UnreadParts > 0);
        Assert.Equal(PiiKinds.Email, cyclicAnalysis.Pii);
        Assert.True(endless.UnreadParts > 0);
        Assert.Equal(PiiKinds.Email, endless.Pii);

        static RequestAnalysis Analyze(object result) =>
            new RoutingRequest([new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", result)]), new ChatMessage(ChatRole.User, "go on")]).Analysis;

        static IEnumerable<string> Endless()
        {
            yield return "jane@example.com";
            while (true)
            {
                yield return "more";
            }
        }
    }

    [Fact]
    public void UnreadContent_IsSensitive_ByDefault_FailClosed()
    {
        object deep = "nothing personal";
        for (int i = 0; i < 100; i++)
        {
            deep = new object?[] { deep };
        }

        var request = new RoutingRequest([new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", deep)]), new ChatMessage(ChatRole.User, "go on")]);
        var lenient = new SensitivityPolicy(new DataPolicyOptions { UnreadContentIsSensitive = false });

        Assert.Equal("content that could not be read for personal data", SensitivityPolicy.Default.Sensitivity(request));
        Assert.Null(lenient.Sensitivity(request));
    }

    [Fact]
    public void Detection_IsLinear_OnAdversarialInput()
    {
        // Long runs that each detector inspects (digits, separators, '@', letter-digit pairs) finish: bounded look-around, no backtracking.
        string[] texts =
        [
            new string('1', 200_000),
            string.Concat(Enumerable.Repeat("1 ", 100_000)),
            string.Concat(Enumerable.Repeat("a@", 100_000)),
            string.Concat(Enumerable.Repeat("DE89 ", 40_000)),
            string.Concat(Enumerable.Repeat("\u200B１", 100_000)),
        ];
        foreach (string text in texts)
        {
            RequestAnalysis analysis = RequestAnalyzer.Default.AnalyzeText(text);
            Assert.True(analysis.Words >= 0);
        }
    }
}
