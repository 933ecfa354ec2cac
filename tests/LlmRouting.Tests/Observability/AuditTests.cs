using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Accounting;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

public sealed class AuditTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmrouting-audit-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task JsonLinesSink_WritesOneContentFreeRecordPerRequest_AndFlushesOnDispose()
    {
        string path = Path.Combine(_directory, "nested", "audit.jsonl");
        string routeId;
        using (ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseJsonLinesAudit(path)))
        {
            IChatClient chat = provider.GetRequiredService<IChatClient>();
            ChatOptions options = ObservabilityFixtures.For("acme", "ann");
            options.Tools = [AIFunctionFactory.Create(() => 42, "answer")];
            ChatResponse response = await chat.GetResponseAsync("my secret prompt about an exception, mail me at jane.doe@example.com", options);
            routeId = response.GetRouteInfo()!.RouteId;
            await chat.GetResponseAsync("hello");
        }

        string text = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("jane", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("answers", text, StringComparison.OrdinalIgnoreCase); // response text of the fake
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        using JsonDocument first = JsonDocument.Parse(lines[0]);
        JsonElement record = first.RootElement;
        Assert.Equal(routeId, record.GetProperty("routeId").GetString());
        Assert.Equal("acme", record.GetProperty("tenant").GetString());
        Assert.Equal("ann", record.GetProperty("user").GetString());
        Assert.Equal("premium", record.GetProperty("target").GetString());
        Assert.Equal(RuleStrategy.StrategyName, record.GetProperty("strategy").GetString());
        Assert.Equal("Succeeded", record.GetProperty("outcome").GetString());
        Assert.Equal(ObservabilityFixtures.PremiumCost, record.GetProperty("cost").GetDecimal());
        Assert.Equal(1000, record.GetProperty("inputTokens").GetInt64());
        Assert.True(record.GetProperty("durationMilliseconds").GetDouble() >= 0);
        Assert.Equal("Email", record.GetProperty("pii").GetString());
        Assert.True(record.TryGetProperty("task", out _));
        JsonElement rejection = Assert.Single(record.GetProperty("rejections").EnumerateArray());
        Assert.Equal("economy", rejection.GetProperty("target").GetString());
        Assert.Equal("premium", Assert.Single(record.GetProperty("attempts").EnumerateArray()).GetProperty("target").GetString());

        using JsonDocument second = JsonDocument.Parse(lines[1]);
        Assert.False(second.RootElement.TryGetProperty("tenant", out _));
        Assert.Equal("economy", second.RootElement.GetProperty("target").GetString());
    }

    [Fact]
    public async Task ACustomSink_ReceivesTheRecord()
    {
        var sink = new CollectingSink();
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseAudit(sink));
        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello", ObservabilityFixtures.For("globex"));

        RouteAuditRecord record = Assert.Single(sink.Records);
        Assert.Equal(response.GetRouteInfo()!.RouteId, record.RouteId);
        Assert.Equal("economy", record.Target);
        Assert.Equal("default", record.Strategy);
        Assert.Equal(RouteOutcome.Succeeded, record.Outcome);
        Assert.Equal(["economy"], record.Decision);
        Assert.Equal(["premium", "economy"], record.Candidates);
        Assert.Equal(ObservabilityFixtures.PremiumCost, record.BaselineCost);
        Assert.Equal("premium", record.BaselineTarget);
    }

    [Fact]
    public void JsonLinesSink_IsThreadSafe()
    {
        string path = Path.Combine(_directory, "parallel.jsonl");
        RouteAuditRecord template = Record("t");
        using (var sink = new JsonLinesRouteAuditSink(path, bufferSize: 512))
        {
            Parallel.For(0, 500, i => sink.Write(template with { RouteId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }

        string[] lines = File.ReadAllLines(path);
        Assert.Equal(500, lines.Length);
        var ids = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("routeId").GetString()).ToHashSet();
        Assert.Equal(500, ids.Count);
    }

    [Fact]
    public void JsonLinesSink_AppendsAndFlushesOnRequest()
    {
        string path = Path.Combine(_directory, "append.jsonl");
        using (var sink = new JsonLinesRouteAuditSink(path))
        {
            sink.Write(Record("a"));
        }

        using (var sink = new JsonLinesRouteAuditSink(path))
        {
            sink.Write(Record("b"));
            sink.Flush();
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Assert.Equal(2, new StreamReader(reader).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    [Fact]
    public void JsonLinesSink_RejectsBadArgumentsAndWritesAfterDispose()
    {
        Assert.Throws<ArgumentException>(() => new JsonLinesRouteAuditSink(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonLinesRouteAuditSink(Path.Combine(_directory, "x.jsonl"), 0));
        var sink = new JsonLinesRouteAuditSink(Path.Combine(_directory, "disposed.jsonl"));
        sink.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sink.Write(Record("late")));
    }

    private static RouteAuditRecord Record(string id) => new()
    {
        Timestamp = DateTimeOffset.UnixEpoch,
        RouteId = id,
        Target = "economy",
        Strategy = "default",
        Reason = "default target",
        Decision = ["economy"],
        Candidates = ["economy"],
        Rejections = [],
        Attempts = [],
        Outcome = RouteOutcome.Succeeded,
    };

    private sealed class CollectingSink : IRouteAuditSink
    {
        public ConcurrentQueue<RouteAuditRecord> Records { get; } = new();

        public void Write(RouteAuditRecord record) => Records.Enqueue(record);
    }
}
