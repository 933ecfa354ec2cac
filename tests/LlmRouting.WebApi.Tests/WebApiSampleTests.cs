using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LlmRouting.IntegrationTests;
using WebApi;

namespace LlmRouting.WebApi.Tests;

/// <summary>The WebApi sample end to end: the sample's router over the official OpenAI client, against the loopback provider.</summary>
public sealed class WebApiSampleTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private FakeOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Chat_IsRoutedByTheConfiguredRouter_ThroughTheOpenAIClient()
    {
        await using var app = new WebApiFactory(_server);
        using HttpClient http = app.CreateClient();

        ChatReply easy = await ChatAsync(http, new ChatRequest("What is the capital of France?"));
        ChatReply hard = await ChatAsync(http, new ChatRequest("Our service throws this exception with a stack trace, why?"));

        Assert.Equal(FakeOpenAIServer.AnswerOf("gpt-4o-mini"), easy.Answer);
        Assert.Equal("economy", easy.Target);
        Assert.Equal(FakeOpenAIServer.AnswerOf("gpt-4o"), hard.Answer);
        Assert.Equal("premium", hard.Target);
        Assert.Equal("rules", hard.Strategy);
        Assert.True(easy.Cost > 0, "the catalogue prices gpt-4o-mini");
        Assert.Equal(["gpt-4o-mini", "gpt-4o"], _server.Requests.Select(r => r.Model));
    }

    [Fact]
    public async Task Chat_WithoutAMessage_IsAValidationProblem()
    {
        await using var app = new WebApiFactory(_server);
        using HttpClient http = app.CreateClient();

        using HttpResponseMessage response = await http.PostAsJsonAsync("/chat", new ChatRequest(" "), Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("message", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Status_ShowsAnOpenCircuitAndItsCooldown_AfterAFailingProvider()
    {
        _server.Intercept = async (context, request) =>
        {
            if (request.Model != "gpt-4o-mini")
            {
                return false;
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("""{"error":{"message":"overloaded","type":"server_error"}}""");
            return true;
        };
        await using var app = new WebApiFactory(_server);
        using HttpClient http = app.CreateClient();

        RouterStatusReply before = await StatusAsync(http, string.Empty);
        ChatReply first = await ChatAsync(http, new ChatRequest("Hello there"));
        ChatReply second = await ChatAsync(http, new ChatRequest("Hello again"));
        RouterStatusReply after = await StatusAsync(http, string.Empty);

        Assert.All(before.Targets, t => Assert.Equal("Closed", t.Circuit));
        Assert.Equal("premium", first.Target);   // economy failed, the fallback served
        Assert.Equal("premium", second.Target);
        TargetStatus economy = Assert.Single(after.Targets, t => t.Name == "economy");
        Assert.Equal("Open", economy.Circuit);
        Assert.False(economy.Available);
        Assert.NotNull(economy.OpenUntil);
        Assert.InRange(economy.RetryInSeconds, 1, 30);   // Resilience:BreakDuration is 30 s
        Assert.NotNull(economy.LastFailure);
        TargetStatus premium = Assert.Single(after.Targets, t => t.Name == "premium");
        Assert.Equal("Closed", premium.Circuit);
        Assert.True(premium.Available);
        Assert.Equal(0, premium.RetryInSeconds);
    }

    [Fact]
    public async Task Status_ShowsBudgetUsePerScope_AfterSpend()
    {
        await using var app = new WebApiFactory(_server);
        using HttpClient http = app.CreateClient();

        ChatReply reply = await ChatAsync(http, new ChatRequest("Summarise the weather today", Tenant: "acme"));
        RouterStatusReply acme = await StatusAsync(http, "?tenant=acme");
        RouterStatusReply other = await StatusAsync(http, "?tenant=globex");
        RouterStatusReply none = await StatusAsync(http, string.Empty);

        BudgetStatus budget = Assert.Single(acme.Budgets);
        Assert.Equal(("tenant", "acme", "Day", 5m), (budget.ScopeKey, budget.Scope, budget.Period, budget.Limit));
        Assert.True(reply.Cost > 0);
        Assert.Equal(reply.Cost, budget.Spent);
        Assert.Equal(0m, budget.Reserved);
        Assert.Equal((double)(reply.Cost!.Value / 5m), budget.Utilization, 9);
        Assert.True(budget.WindowEnd > DateTimeOffset.UtcNow);
        Assert.Equal(0m, Assert.Single(other.Budgets).Spent);
        Assert.Empty(none.Budgets);   // budgets are per scope: the caller names the scope
    }

    [Fact]
    public async Task StartUp_FailsOnAnInvalidSetting_NamingTheField()
    {
        await using var app = new WebApiFactory(_server, new Dictionary<string, string?> { ["LlmRouting:Targets:0:Tier"] = "Standrad" });

        Exception thrown = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        OptionsValidationException invalid = Assert.IsType<OptionsValidationException>(Flatten(thrown).First(e => e is OptionsValidationException));
        Assert.Contains(invalid.Failures, f => f.Contains("LlmRouting:Targets[0] ('economy'):Tier 'Standrad' is not one of Economy, Standard, Premium", StringComparison.Ordinal));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task StartUp_FailsOnAnInvalidTelemetryExporter_NamingTheField()
    {
        await using var app = new WebApiFactory(_server, new Dictionary<string, string?> { ["Telemetry:Exporter"] = "Zipkin" });

        Exception thrown = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(Flatten(thrown), e => e.Message.Contains("Telemetry:Exporter 'Zipkin' is not one of None, Console, Otlp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Telemetry_ToTheConsole_StartsAndServes()
    {
        await using var app = new WebApiFactory(_server, new Dictionary<string, string?> { ["Telemetry:Exporter"] = "Console" });
        using HttpClient http = app.CreateClient();

        ChatReply reply = await ChatAsync(http, new ChatRequest("Hello"));

        Assert.Equal("economy", reply.Target);
    }

    [Fact]
    public async Task AChangedSettingsFile_ReloadsTheRouter_AndAnInvalidChangeKeepsThePreviousConfigurationWithAWarning()
    {
        string file = Path.Combine(Path.GetTempPath(), $"webapi-reload-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "LlmRouting": { "Baseline": "premium" } }""");
        try
        {
            await using var app = new WebApiFactory(_server, extraJsonFile: file);
            using HttpClient http = app.CreateClient();
            Assert.Equal("economy", (await ChatAsync(http, new ChatRequest("Hello"))).Target);

            // A second rule (configuration keys "Rules:1:…"): greetings now go to premium.
            await File.WriteAllTextAsync(file, """{ "LlmRouting": { "Rules": { "1": { "Name": "greetings", "Target": "premium", "ContainsAny": [ "hello" ] } } } }""");
            Assert.True(await EventuallyAsync(async () => (await ChatAsync(http, new ChatRequest("Hello"))).Target == "premium"), "the valid change was not applied");

            await File.WriteAllTextAsync(file, """{ "LlmRouting": { "Rules": { "1": { "Name": "greetings", "Target": "nowhere", "ContainsAny": [ "hello" ] } } } }""");
            Assert.True(await EventuallyAsync(() => Task.FromResult(app.Warnings.Any(w => w.EventId == 1008))), "the invalid change was not reported");

            (LogLevel level, _, string message) = app.Warnings.First(w => w.EventId == 1008);
            Assert.Equal(LogLevel.Warning, level);
            Assert.Contains("'nowhere'", message, StringComparison.Ordinal);
            Assert.DoesNotContain("Hello", message, StringComparison.Ordinal);
            ChatReply kept = await ChatAsync(http, new ChatRequest("Hello"));
            Assert.Equal(("premium", "rules"), (kept.Target, kept.Strategy));   // the previous configuration stays in force
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (int i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static async Task<ChatReply> ChatAsync(HttpClient http, ChatRequest request)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("/chat", request, Json);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ChatReply>(Json))!;
    }

    private static async Task<RouterStatusReply> StatusAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<RouterStatusReply>("/router/status" + query, Json))!;

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
