using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>With every log level on, nothing the request or answer says — nor a key — reaches a log line or the audit record.</summary>
public sealed class ContentFreeLogsAndAuditTests : IDisposable
{
    private const string Email = "jane.doe@example.com";
    private const string Card = "4111 1111 1111 1111";
    private const string Key = "sk-live-7f3a9c2e41b8";
    private const string Marker = "zebra-quartz-marmalade";

    private static readonly string[] Secrets = [Email, Card, Key, Marker, "jane.doe"];

    private readonly string _auditPath = Path.Combine(Path.GetTempPath(), $"llmrouting-audit-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_auditPath);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NoRequestTextAnswerTextOrKey_ReachesLogsOrTheAudit(bool streaming)
    {
        string prompt = $"My card {Card}, mail {Email}, key {Key}, code word {Marker}. Return the JSON.";
        var quoting = new InvalidOperationException($"The provider rejected the request: '{prompt}'");

        // The primary fails quoting the prompt; the judge fails quoting it; the fallback answers JSON whose property names are personal data.
        var failing = new TestChatClient("failing")
        {
            GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException($"502 for '{prompt}'", null, HttpStatusCode.BadGateway),
            GetStreamingResponseAsyncCallback = (_, _, _) => Streams.FailBeforeTheFirstUpdate(new HttpRequestException($"502 for '{prompt}'", null, HttpStatusCode.BadGateway)),
        };
        string answer = $"{{\"{Email}\": \"{Marker}\"}}";
        var answering = new TestChatClient("answering")
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { FinishReason = ChatFinishReason.Stop }),
        };
        answering.GetStreamingResponseAsyncCallback = (_, _, _) => Single(answer);
        var judge = new TestChatClient("judge") { GetResponseAsyncCallback = (_, _, _) => throw quoting };

        var services = new ServiceCollection();
        services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = true);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddLlmRouter(r => r
            .AddTarget("failing", failing, t => t.Tags("on-prem").Tier(QualityTier.Economy).Supports(ModelCapabilities.JsonSchema))
            .AddTarget("answering", answering, t => t.Tags("on-prem").Tier(QualityTier.Economy).Supports(ModelCapabilities.JsonSchema))
            .AddTarget("premium", new TestChatClient("premium"), t => t.Tier(QualityTier.Premium).Supports(ModelCapabilities.JsonSchema))
            .Default("failing")
            .UseJudge(judge, configure: j => j.SkipSensitive = false)
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .UseEscalation(e => e.EvaluateStreams = true)
            .UseJsonSchemaEscalation()
            .UseFallback(o => o.Resilience.EnableRetry = false)
            .UseJsonLinesAudit(_auditPath));
        ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        FakeLogCollector logs = provider.GetFakeLogCollector();
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person"), AdditionalProperties = new() { ["tenant"] = "acme" } };

        RouteInfo? route;
        if (streaming)
        {
            List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync(prompt, options));
            route = updates[^1].GetRouteInfo();
        }
        else
        {
            route = (await chat.GetResponseAsync(prompt, options)).GetRouteInfo();
        }

        await provider.DisposeAsync();

        Assert.NotNull(route);
        Assert.True(judge.Calls > 0);
        Assert.True(failing.Calls > 0);
        Assert.NotEmpty(logs.GetSnapshot());
        foreach (FakeLogRecord record in logs.GetSnapshot())
        {
            string everything = $"{record.Message} {string.Join(' ', record.StructuredState?.Select(kv => kv.Value) ?? [])} {record.Exception}";
            foreach (string secret in Secrets)
            {
                Assert.False(everything.Contains(secret, StringComparison.OrdinalIgnoreCase), $"Log {record.Id.Name} ({record.Level}) holds '{secret}': {everything}");
            }
        }

        string audit = await File.ReadAllTextAsync(_auditPath);
        Assert.NotEmpty(audit);
        foreach (string secret in Secrets)
        {
            Assert.DoesNotContain(secret, audit, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task TheJsonSchemaReason_NamesTheErrorKind_NotAPathFromTheAnswer()
    {
        var evaluator = new JsonSchemaEvaluator();
        var schema = JsonDocument.Parse("""{"type":"object","additionalProperties":false}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "s") };
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{{\"{Email}\": 1}}"));

        string? reason = await evaluator.EvaluateAsync(response, new RoutingRequest("x"), options, default);

        Assert.Equal("answer fails the requested schema (1 error(s), first: NoAdditionalPropertiesAllowed)", reason);
    }

    [Fact]
    public async Task AFailingJudge_IsLoggedWithItsExceptionType_Only()
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        using ServiceProvider provider = services.BuildServiceProvider();
        var judge = new TestChatClient("judge") { GetResponseAsyncCallback = (_, _, _) => throw new InvalidOperationException($"bad input: {Marker}") };
        var strategy = new JudgeStrategy(judge, logger: provider.GetRequiredService<ILogger<JudgeStrategy>>());
        var registry = new TargetRegistry([new RouteTarget("a", new TestChatClient("a"), new TargetProfile())]);

        Assert.Null(await strategy.DecideAsync(new RoutingRequest($"classify {Marker}"), RouteCandidates.All(registry), default));

        FakeLogRecord record = provider.GetFakeLogCollector().LatestRecord;
        Assert.Equal("The judge call failed with System.InvalidOperationException; the judge strategy abstains.", record.Message);
        Assert.Null(record.Exception);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Single(string text)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, text) { MessageId = "m" };
        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop };
    }
}
