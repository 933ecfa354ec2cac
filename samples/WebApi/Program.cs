using LlmRouting;
using LlmRouting.Accounting;
using Microsoft.Extensions.AI;
using WebApi;

// A minimal ASP.NET Core app routing chat requests with LlmRouting:
//   POST /chat             { "message": "...", "tenant": "acme", "conversationId": null }  → the answer and its route
//   GET  /router/status    ?tenant=acme                                                     → target health, cooldowns, budget use
// The router is configured from appsettings.json (section LlmRouting), checked at start-up and reloaded on change.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// One keyed IChatClient per target, over the official OpenAI client (any OpenAI-compatible endpoint).
ProviderClients.Add(builder.Services, builder.Configuration.GetSection(ProviderClients.SectionName));

ResilienceSettings resilience = ResilienceSettings.Read(builder.Configuration.GetSection(ResilienceSettings.SectionName));
builder.Services.AddLlmRouter(builder.Configuration.GetSection("LlmRouting"), router => router
    .UseFallback(o =>
    {
        o.Resilience.EnableRetry = resilience.MaxRetryAttempts > 0;
        o.Resilience.Retry.MaxRetryAttempts = Math.Max(1, resilience.MaxRetryAttempts);
        o.Resilience.CircuitBreaker.MinimumThroughput = resilience.MinimumThroughput;
        o.Resilience.CircuitBreaker.BreakDuration = resilience.BreakDuration;
    })
    .UseTelemetry()
    .UseLedger())
    .UseOpenTelemetry(); // MEAI's gen_ai spans and metrics, above the router

// OpenTelemetry: the router's spans and metrics, MEAI's, and ASP.NET Core's; exported as Telemetry:Exporter says (off by default).
SampleTelemetry.Add(builder.Services, builder.Configuration.GetSection(SampleTelemetry.SectionName));

WebApplication app = builder.Build();

app.MapPost("/chat", async (ChatRequest body, IChatClient chat, CancellationToken cancellationToken) =>
{
    if (string.IsNullOrWhiteSpace(body.Message))
    {
        return Results.ValidationProblem(new Dictionary<string, string[]> { ["message"] = ["The message must not be empty."] });
    }

    var options = new ChatOptions { ConversationId = body.ConversationId, AdditionalProperties = [] };
    if (body.Tenant is { Length: > 0 } tenant)
    {
        options.AdditionalProperties[RequestMetadataKeys.Tenant] = tenant;
    }

    ChatResponse response = await chat.GetResponseAsync(body.Message, options, cancellationToken);
    RouteInfo? route = response.GetRouteInfo();
    return Results.Ok(new ChatReply(response.Text, route?.Target, route?.Strategy, route?.Reason, route?.Cost));
});

app.MapGet("/router/status", async (HttpRequest request, IServiceProvider services, CancellationToken cancellationToken) =>
    Results.Ok(await RouterStatus.ReadAsync(services, ScopesOf(request.Query), cancellationToken)));

await app.RunAsync();

// Every query parameter is a budget scope (e.g. ?tenant=acme): budgets are kept per scope value, so the caller names them.
static Dictionary<string, string> ScopesOf(IQueryCollection query) =>
    query.Where(q => q.Value.Count > 0 && !string.IsNullOrEmpty(q.Value[0])).ToDictionary(q => q.Key, q => q.Value[0]!, StringComparer.OrdinalIgnoreCase);

/// <summary>The app's entry point (public so that tests can start it with <c>WebApplicationFactory&lt;Program&gt;</c>).</summary>
public partial class Program;
