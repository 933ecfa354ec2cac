using System.Diagnostics;
using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public class RequestAnalyzerTests
{
    private static RequestAnalysis Analyze(string text) => RequestAnalyzer.Default.AnalyzeText(text);

    [Theory]
    [InlineData("What are your opening hours on weekends?", TaskType.Chat)]
    [InlineData("Write a C# method that merges two sorted arrays and add a unit test.", TaskType.Code)]
    [InlineData("Our API throws this stack trace: NullReferenceException at OrderService.Checkout()", TaskType.Code)]
    [InlineData("```python\ndef f(x):\n    return x * 2\n```\nWhy does this return None?", TaskType.Code)]
    [InlineData("Solve the equation 3x^2 + 2x = 5 and show the derivative.", TaskType.Math)]
    [InlineData("Convert 72 degrees Fahrenheit to Celsius.", TaskType.Math)]
    [InlineData("Compare the tradeoffs of event sourcing versus CRUD and explain why one is better for audits.", TaskType.Reasoning)]
    [InlineData("Translate 'Where is the train station?' into German and Spanish.", TaskType.Translation)]
    [InlineData("Summarise our refund policy in two sentences.", TaskType.Summarization)]
    [InlineData("Extract all dates and amounts from this invoice into a table.", TaskType.Extraction)]
    [InlineData("Classify this ticket as billing, technical or other: 'I can't log in'.", TaskType.Classification)]
    [InlineData("Write a haiku about autumn rain.", TaskType.CreativeWriting)]
    public void Task_IsReadFromWordsAndStructure(string prompt, TaskType expected) => Assert.Equal(expected, Analyze(prompt).Task);

    [Fact]
    public void Complexity_GrowsWithLengthStepsConstraintsAndCode()
    {
        double trivial = Analyze("What's the capital of Australia?").Complexity;
        double hard = Analyze("""
            Design a distributed rate limiter. First, explain the architecture; then implement it in Go.
            1. It must handle 100k requests per second with p99 latency under 5 ms.
            2. It must never exceed the limit by more than 1 %, even during a network partition.
            3. Do not use a central database; ensure it survives the loss of one node.
            ```go
            type Limiter interface { Allow(key string) bool }
            ```
            Finally, analyse the complexity and the memory use of your design, step by step.
            """).Complexity;

        Assert.InRange(trivial, 0, 0.25);
        Assert.InRange(hard, 0.5, 1);
        Assert.True(hard > trivial + 0.3);
    }

    [Fact]
    public void NumberedItems_CountAsStepsAsBulletsDo()
    {
        // "1. ", "2) " at a line's start are list items, as "- " is; a number inside a line is not.
        double numbered = Analyze("Plan it:\n1. book\n2) pack\n3. go\n4. eat\n5. rest\n6. return").Complexity;
        double bullets = Analyze("Plan it:\n- book\n- pack\n- go\n- eat\n- rest\n- return").Complexity;
        double inline = Analyze("Plan it:\nA 1. book\nA 2) pack\nA 3. go\nA 4. eat\nA 5. rest\nA 6. return").Complexity;
        Assert.Equal(bullets, numbered, 12);
        Assert.True(numbered > inline + 0.1, $"{numbered} > {inline} + 0.1");
    }

    [Theory]
    [InlineData("Is it normal to feel dizzy after starting a new blood pressure medication?", RiskDomains.Medical)]
    [InlineData("Can my landlord keep the deposit? Do I need a lawyer to sue?", RiskDomains.Legal)]
    [InlineData("Should I move my 401k into a Roth IRA given my tax bracket?", RiskDomains.Financial)]
    public void RiskDomains_AreDetected(string prompt, RiskDomains expected)
    {
        RequestAnalysis analysis = Analyze(prompt);
        Assert.Equal(expected, analysis.Domains);
        Assert.True(analysis.Risk >= RiskLevel.Medium);
    }

    [Theory]
    [InlineData("Mail me at jane.doe@example.co.uk please", PiiKinds.Email)]
    [InlineData("Call +44 20 7946 0958 tomorrow", PiiKinds.Phone)]
    [InlineData("my number is (555) 123-4567", PiiKinds.Phone)]
    [InlineData("card 4111 1111 1111 1111 was charged", PiiKinds.CreditCard)]
    [InlineData("card 4111-1111-1111-1111", PiiKinds.CreditCard)]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 please", PiiKinds.Iban)]
    [InlineData("IBAN GB82WEST12345698765432", PiiKinds.Iban)]
    [InlineData("SSN 123-45-6789", PiiKinds.NationalId)]
    [InlineData("the server at 192.168.10.42 is down", PiiKinds.IpAddress)]
    [InlineData("ping 2001:db8::8a2e:370:7334 now", PiiKinds.IpAddress)]
    public void Pii_KindsAreDetected(string prompt, PiiKinds expected)
    {
        RequestAnalysis analysis = Analyze(prompt);
        Assert.Equal(expected, analysis.Pii);
        Assert.Equal(1, analysis.PiiCount);
    }

    [Theory]
    [InlineData("card 4111 1111 1111 1112 was charged")]          // fails Luhn
    [InlineData("IBAN DE89 3704 0044 0532 0130 01")]               // fails mod 97
    [InlineData("version 1.2.3.4567 shipped")]                     // not an IP (4567 > 255)
    [InlineData("order 12345678 shipped")]                         // a plain order number is not a phone
    [InlineData("SSN 000-12-3456 is never issued")]                // invalid area
    [InlineData("email me @ the office")]                          // no address
    [InlineData("The year 2026 had 365 days and 12 months.")]
    public void Pii_NearMissesAreNotFlagged(string prompt) => Assert.Equal(PiiKinds.None, Analyze(prompt).Pii);

    [Fact]
    public void Pii_IsFoundInSystemPromptsAndToolResults_ButTheyDoNotDriveTheTask()
    {
        var request = new RoutingRequest(
        [
            new ChatMessage(ChatRole.System, "Customer: john@example.com"),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "IBAN GB82WEST12345698765432")]),
            new ChatMessage(ChatRole.User, "Write a haiku about spring."),
        ]);

        RequestAnalysis analysis = request.Analysis;

        Assert.Equal(PiiKinds.Email | PiiKinds.Iban, analysis.Pii);
        Assert.Equal(TaskType.CreativeWriting, analysis.Task);
        Assert.Same(analysis, request.Analysis); // computed once
    }

    [Fact]
    public void EarlierTurns_CountLessThanTheLatest()
    {
        var request = new RoutingRequest(
        [
            new ChatMessage(ChatRole.User, "Translate this into French: good morning."),
            new ChatMessage(ChatRole.Assistant, "Bonjour."),
            new ChatMessage(ChatRole.User, "Now write a short poem about it."),
        ]);

        Assert.Equal(TaskType.CreativeWriting, request.Analysis.Task);
        Assert.True(request.Analysis.GetTaskScore(TaskType.Translation) > 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t  ")]
    [InlineData("!!!???...")]
    public void EmptyOrWhitespace_IsPlainChat(string prompt)
    {
        RequestAnalysis analysis = Analyze(prompt);
        Assert.Equal(TaskType.Chat, analysis.Task);
        Assert.Equal(RiskLevel.None, analysis.Risk);
        Assert.Equal(PiiKinds.None, analysis.Pii);
        Assert.InRange(analysis.Complexity, 0, 0.1);
    }

    [Theory]
    [InlineData("東京の天気はどうですか？明日は雨が降りますか？")]
    [InlineData("Расскажи мне о погоде в Москве завтра.")]
    [InlineData("ما هو الطقس في القاهرة غدا؟")]
    public void NonLatinScripts_AreHandled(string prompt)
    {
        RequestAnalysis analysis = Analyze(prompt);
        Assert.Equal(PiiKinds.None, analysis.Pii);
        Span<float> features = stackalloc float[RequestAnalysis.FeatureCount];
        analysis.WriteFeatures(features);
        Assert.True(features[RequestAnalysis.FeatureNames.ToList().IndexOf("non_ascii_ratio")] > 0.5f);
    }

    [Fact]
    public void Base64Blobs_AreNotMistakenForPersonalData()
    {
        string blob = Convert.ToBase64String(Enumerable.Range(0, 3_000).Select(i => (byte)(i * 7)).ToArray());
        RequestAnalysis analysis = Analyze($"Decode this: {blob}");
        Assert.Equal(PiiKinds.None, analysis.Pii & ~PiiKinds.Iban); // a random base64 run may not pass as anything but an IBAN-shaped prefix, which mod-97 rejects
        Assert.Equal(PiiKinds.None, analysis.Pii);
    }

    [Fact]
    public void OneMegabyte_IsAnalysedInLinearTime()
    {
        string chunk = "Please review this function and explain why it throws. Contact ops at ops@example.com or 192.168.0.1. ";
        string small = string.Concat(Enumerable.Repeat(chunk, 100));
        string large = string.Concat(Enumerable.Repeat(chunk, 10_000)); // ≈ 1 MB
        Analyze(small);

        var sw = Stopwatch.StartNew();
        RequestAnalysis analysis = Analyze(large);
        sw.Stop();

        Assert.Equal(PiiKinds.Email | PiiKinds.IpAddress, analysis.Pii);
        Assert.Equal(20_000, analysis.PiiCount);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"1 MB took {sw.Elapsed}: not linear.");
    }

    [Fact]
    public void Features_HaveAStableShape()
    {
        Assert.Equal(RequestAnalysis.FeatureCount, RequestAnalysis.FeatureNames.Count);
        Assert.Equal(RequestAnalysis.FeatureCount, RequestAnalysis.FeatureNames.Distinct().Count());
        float[] features = new float[RequestAnalysis.FeatureCount];
        Analyze("Write a Python function").WriteFeatures(features);
        Assert.Equal(1f, features[RequestAnalysis.FeatureNames.ToList().IndexOf("task_code")]);
        Assert.All(features, f => Assert.InRange(f, 0f, 1f));
        Assert.Throws<ArgumentException>(() => Analyze("x").WriteFeatures(new float[3]));
    }

    [Fact]
    public void RulesCanUseTheAnalysis()
    {
        var options = new RuleOptions { Target = "premium", MinRisk = RiskLevel.Medium };
        options.Tasks.Add(TaskType.Code);
        options.Tasks.Add(TaskType.Math);
        RoutingRule rule = RoutingRule.FromOptions(options, "r");
        Assert.False(rule.Predicate(new RoutingRequest("Write a haiku")));
        Assert.False(rule.Predicate(new RoutingRequest("Write a Python function")));
        Assert.True(rule.Predicate(new RoutingRequest("Write a Python function that stores the SSN 123-45-6789 and card 4111 1111 1111 1111")));
        Assert.True(RoutingRule.FromOptions(new RuleOptions { Target = "p", HasPii = true }, "p").Predicate(new RoutingRequest("me@example.com")));
        Assert.Equal("rule 'r' (task=Code|Math, risk≥Medium)", rule.Reason);
    }
}
