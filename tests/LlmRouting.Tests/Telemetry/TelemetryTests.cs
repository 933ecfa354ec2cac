using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Strategies;
using LlmRouting.Telemetry;

namespace LlmRouting.Tests;

[Collection(nameof(TelemetryTests))] // listeners are process-wide: keep these tests sequential
public sealed class TelemetryTests : IDisposable
{
    private const string TargetSource = "LlmRouting.Tests.Target";
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _listener;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is LlmRoutingTelemetry.ActivitySourceName or TargetSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private static ServiceProvider Build(bool telemetry = true, bool failPremium = false, IMeterFactory? meterFactory = null)
    {
        var services = new ServiceCollection();
        if (meterFactory is not null)
        {
            services.AddSingleton(meterFactory);
        }

        services.AddKeyedChatClient("premium", failPremium
            ? new TestChatClient("premium") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down", null, HttpStatusCode.BadGateway) }
            : new TestChatClient("premium"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(r =>
        {
            r.AddTarget("premium", t => t.Prices(2.50m, 10m).Supports(ModelCapabilities.Tools).Tier(QualityTier.Premium))
             .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Supports(ModelCapabilities.None).Tier(QualityTier.Economy))
             .UseRules(rules => rules.WhenContainsAny("exception").Named("errors").RouteTo("premium"))
             .Default("economy")
             .Baseline("premium")
             .DecorateTargets(d => d.Client.AsBuilder().UseOpenTelemetry(sourceName: TargetSource).Build());
            if (telemetry)
            {
                r.UseTelemetry();
            }

            if (failPremium)
            {
                r.UseFallback(o => o.Resilience.EnableRetry = false);
            }
        });
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARoutedRequest_HasASpan_WithTheTargetsSpanNestedUnderIt(bool streaming)
    {
        using ServiceProvider provider = Build();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        using var parent = new ActivitySource("LlmRouting.Tests.App").StartActivity("app");

        if (streaming)
        {
            await foreach (ChatResponseUpdate _ in chat.GetStreamingResponseAsync("an exception in prod"))
            {
            }
        }
        else
        {
            await chat.GetResponseAsync("an exception in prod");
        }

        Activity route = Assert.Single(_activities, a => a.Source.Name == LlmRoutingTelemetry.ActivitySourceName);
        Activity target = Assert.Single(_activities, a => a.Source.Name == TargetSource);
        Assert.Equal(route.SpanId, target.ParentSpanId);
        Assert.Equal("route premium", route.DisplayName);
        Assert.Equal(LlmRoutingTelemetry.RouteActivityName, route.OperationName);
        Assert.Equal("premium", route.GetTagItem(RoutingTags.Target));
        Assert.Equal("rules", route.GetTagItem(RoutingTags.Strategy));
        Assert.Equal("rule 'errors' (contains any of 1 term)", route.GetTagItem(RoutingTags.Reason));
        Assert.Equal("succeeded", route.GetTagItem(RoutingTags.Outcome));
        Assert.Equal("llmrouting", route.GetTagItem(RoutingTags.ProviderName));
        Assert.Equal(1000L, route.GetTagItem(RoutingTags.InputTokens));
        Assert.Equal(0.0075, (double)route.GetTagItem(RoutingTags.Cost)!, 10);
        Assert.Equal(32, ((string)route.GetTagItem(RoutingTags.RouteId)!).Length);
    }

    [Fact]
    public async Task SpansNeverCarryContent()
    {
        using ServiceProvider provider = Build();
        await provider.GetRequiredService<IChatClient>().GetResponseAsync("my secret exception text");

        Activity route = Assert.Single(_activities, a => a.Source.Name == LlmRoutingTelemetry.ActivitySourceName);
        Assert.DoesNotContain(route.TagObjects, t => t.Value?.ToString()?.Contains("secret", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task AFallback_IsVisibleOnTheSpanAndInMetrics()
    {
        using var metrics = new MetricCollector();
        using ServiceProvider provider = Build(failPremium: true);

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("an exception");

        Activity route = Assert.Single(_activities, a => a.Source.Name == LlmRoutingTelemetry.ActivitySourceName);
        Assert.Equal(true, route.GetTagItem(RoutingTags.Fallback));
        Assert.Equal("economy", route.GetTagItem(RoutingTags.Target));
        Assert.Equal(2, route.GetTagItem(RoutingTags.Attempts));
        Assert.Contains(metrics.Longs, m => m.Name == "llmrouting.fallbacks" && m.Tags[RoutingTags.PrimaryTarget] as string == "premium");
        Assert.Contains(metrics.Longs, m => m.Name == "llmrouting.attempts" && m.Tags[RoutingTags.AttemptOutcome] as string == "failed" && m.Tags[RoutingTags.Target] as string == "premium");
    }

    [Fact]
    public async Task Metrics_RecordRequestsTokensCostSavingsAndDurations()
    {
        using var metrics = new MetricCollector();
        using ServiceProvider provider = Build();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync("hello");
        await chat.GetResponseAsync("an exception");

        Assert.Equal(2, metrics.Longs.Where(m => m.Name == "llmrouting.requests").Sum(m => m.Value));
        Assert.Contains(metrics.Longs, m => m.Name == "llmrouting.requests" && m.Tags[RoutingTags.Target] as string == "economy" && m.Tags[RoutingTags.Strategy] as string == "default" && m.Tags[RoutingTags.Outcome] as string == "succeeded");
        Assert.Equal(2000, metrics.Longs.Where(m => m.Name == "llmrouting.tokens" && m.Tags[RoutingTags.TokenType] as string == "input").Sum(m => m.Value));
        Assert.Equal(0.00045 + 0.0075, metrics.Doubles.Where(m => m.Name == "llmrouting.cost").Sum(m => m.Value), 10);
        Assert.Equal(0.0075 - 0.00045, metrics.Doubles.Where(m => m.Name == "llmrouting.savings").Sum(m => m.Value), 10);
        Assert.Equal(2, metrics.Doubles.Count(m => m.Name == "llmrouting.decision.duration"));
        Assert.Equal(2, metrics.Doubles.Count(m => m.Name == "llmrouting.request.duration"));
    }

    [Fact]
    public async Task EscalationsAndBudgetUtilization_AreMeasured()
    {
        using var metrics = new MetricCollector();
        var services = new ServiceCollection();
        var economy = new TestChatClient("economy")
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut o"))
            {
                FinishReason = ChatFinishReason.Length,
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 },
            }),
        };
        services.AddLlmRouter(r => r
            .AddTarget("economy", economy, t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .AddTarget("premium", new TestChatClient("premium"), t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .Default("economy")
            .UseCostAware(c =>
            {
                c.Difficulty = _ => 0;
                c.Budgets.Add(new BudgetOptions { ScopeKey = "tenant", Period = BudgetPeriod.Month, Limit = 1m });
            })
            .UseFallback()
            .UseEscalation()
            .UseTelemetry());
        using ServiceProvider provider = services.BuildServiceProvider();

        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["tenant"] = "acme" } })).GetRouteInfo()!;

        Assert.True(route.IsEscalated);
        Assert.Contains(metrics.Longs, m => m.Name == "llmrouting.escalations" && m.Tags[RoutingTags.PrimaryTarget] as string == "economy" && m.Tags[RoutingTags.Target] as string == "premium");
        TelemetryTests.MetricCollector.Measurement<double> budget = Assert.Single(metrics.Doubles, m => m.Name == "llmrouting.budget.utilization");
        Assert.Equal((double)route.Cost!.Value, budget.Value, 10);
        Assert.Equal("tenant", budget.Tags[RoutingTags.BudgetScopeKey]);
        Assert.Equal("month", budget.Tags[RoutingTags.BudgetPeriod]);
    }

    [Fact]
    public async Task WithoutUseTelemetry_NothingIsRecorded()
    {
        // Listeners are process-wide and other test classes run in parallel: look only at this request's trace and
        // at meters this provider's meter factory created.
        using var meters = new Caching.TestMeterFactory();
        using var metrics = new MetricCollector(meters);
        using ServiceProvider provider = Build(telemetry: false, meterFactory: meters);
        using var test = new ActivitySource(TargetSource);
        using Activity parent = test.StartActivity("test")!;

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello");

        Assert.Contains(_activities, a => a.Source.Name == TargetSource && a.TraceId == parent.TraceId && a != parent); // the target's own span: the trace is seen
        Assert.DoesNotContain(_activities, a => a.Source.Name == LlmRoutingTelemetry.ActivitySourceName && a.TraceId == parent.TraceId);
        Assert.Empty(meters.Meters);
        Assert.Empty(metrics.Longs);
        Assert.Empty(metrics.Doubles);
    }

    [Fact]
    public async Task NoRoute_MarksTheSpanAsFailed()
    {
        using ServiceProvider provider = Build();
        var image = new ChatMessage(ChatRole.User, [new TextContent("what is this?"), new DataContent(new byte[] { 1 }, "image/png")]);

        await Assert.ThrowsAsync<NoRouteAvailableException>(() => provider.GetRequiredService<IChatClient>().GetResponseAsync([image]));

        Activity route = Assert.Single(_activities, a => a.Source.Name == LlmRoutingTelemetry.ActivitySourceName);
        Assert.Equal(ActivityStatusCode.Error, route.Status);
        Assert.Equal(typeof(NoRouteAvailableException).FullName, route.GetTagItem(RoutingTags.ErrorType));
    }

    private sealed class MetricCollector : IDisposable
    {
        private readonly MeterListener _listener = new();

        /// <param name="scope">When set, only meters created by this factory are listened to.</param>
        public MetricCollector(IMeterFactory? scope = null)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LlmRoutingTelemetry.MeterName && (scope is null || ReferenceEquals(instrument.Meter.Scope, scope)))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Longs.Enqueue(new(i.Name, v, ToDictionary(tags))));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Doubles.Enqueue(new(i.Name, v, ToDictionary(tags))));
            _listener.Start();
        }

        public ConcurrentQueue<Measurement<long>> Longs { get; } = new();

        public ConcurrentQueue<Measurement<double>> Doubles { get; } = new();

        public void Dispose() => _listener.Dispose();

        private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var result = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                result[tag.Key] = tag.Value;
            }

            return result;
        }

        internal sealed record Measurement<T>(string Name, T Value, Dictionary<string, object?> Tags);
    }
}
