using System.Collections.Concurrent;
using System.Diagnostics;
using LlmRouting.Accounting;
using LlmRouting.Telemetry;
using LlmRouting.Tests.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

/// <summary>Several routers per application: keyed, each with its own section, options, ledger and health state; the unnamed one unchanged.</summary>
[Collection(nameof(TelemetryTests))] // one test listens to spans, which are process-wide
public sealed class NamedRouterTests
{
    [Fact]
    public async Task NamedRouters_TagTheirMetricsAndSpansWithTheirName_TheUnnamedOneWithNone()
    {
        using var meters = new TestMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<System.Diagnostics.Metrics.IMeterFactory>(meters);
        services.AddKeyedChatClient("big", new TestChatClient("big"));
        services.AddLlmRouter(r => r.AddTarget("big").Default("big").UseTelemetry());
        services.AddLlmRouter("support", r => r.AddTarget("big").Default("big").UseTelemetry());
        services.AddLlmRouter("batch", r => r.AddTarget("big").Default("big").UseTelemetry());
        using ServiceProvider provider = services.BuildServiceProvider();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LlmRoutingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        IChatClient unnamed = provider.GetRequiredService<IChatClient>();
        IChatClient support = provider.GetRequiredKeyedService<IChatClient>("support");
        IChatClient batch = provider.GetRequiredKeyedService<IChatClient>("batch");
        // One instrument per router (each its own meter): a MeterListener sees them all, a MetricCollector only the first.
        var routers = new ConcurrentQueue<string>();
        using var requests = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "llmrouting.requests")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        requests.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string router = "(none)";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                router = tag.Key == RoutingTags.Router ? (string)tag.Value! : router;
            }

            routers.Enqueue(router);
        });
        requests.Start();

        var ids = new Dictionary<string, string?>
        {
            ["support"] = (await support.GetResponseAsync("one")).GetRouteInfo()!.RouteId,
            ["batch"] = (await batch.GetResponseAsync("two")).GetRouteInfo()!.RouteId,
            [""] = (await unnamed.GetResponseAsync("three")).GetRouteInfo()!.RouteId,
        };
        await batch.GetResponseAsync("four");

        foreach ((string router, string? id) in ids)
        {
            Activity span = Assert.Single(spans, a => Equals(a.GetTagItem(RoutingTags.RouteId), id));
            Assert.Equal(router.Length == 0 ? null : router, span.GetTagItem(RoutingTags.Router));
        }
        Assert.Equal(["support", "batch", "(none)", "batch"], routers);
    }

    [Fact]
    public async Task NamedRouters_AreKeyedChatClients_WithTheirOwnTargets_AndTheUnnamedOneIsUnchanged()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("big", new TestChatClient("big"));
        services.AddKeyedChatClient("small", new TestChatClient("small"));
        services.AddLlmRouter(r => r.AddTarget("big").AddTarget("small").Default("small"));
        services.AddLlmRouter("support", r => r.AddTarget("big").Default("big"));
        services.AddLlmRouter("batch", r => r.AddTarget("small").Default("small"));
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.Equal("small", (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).GetRouteInfo()!.Target);
        Assert.Equal("big", (await provider.GetRequiredKeyedService<IChatClient>("support").GetResponseAsync("hi")).GetRouteInfo()!.Target);
        Assert.Equal("small", (await provider.GetRequiredKeyedService<IChatClient>("batch").GetResponseAsync("hi")).GetRouteInfo()!.Target);
        Assert.Equal(["big"], provider.GetRequiredKeyedService<LlmRouterChatClient>("support").Registry.Targets.Select(t => t.Name));
        Assert.NotSame(provider.GetRequiredKeyedService<LlmRouterChatClient>("support"), provider.GetRequiredService<LlmRouterChatClient>());
    }

    [Fact]
    public async Task EachNamedRouter_HasItsOwnLedger()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("model", new TestChatClient("model"));
        services.AddLlmRouter("a", r => r.AddTarget("model").Default("model").UseLedger());
        services.AddLlmRouter("b", r => r.AddTarget("model").Default("model").UseLedger());
        using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("one");
        await provider.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("two");
        await provider.GetRequiredKeyedService<IChatClient>("b").GetResponseAsync("three");

        Assert.Equal(2, provider.GetRequiredKeyedService<IRoutingLedger>("a").GetSummary().Totals.Requests);
        Assert.Equal(1, provider.GetRequiredKeyedService<IRoutingLedger>("b").GetSummary().Totals.Requests);
        Assert.Null(provider.GetService<IRoutingLedger>()); // no unnamed router, no unnamed ledger
    }

    [Fact]
    public async Task EachNamedRouter_HasItsOwnHealthState()
    {
        var failing = new TestChatClient("failing") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("503") };
        var services = new ServiceCollection();
        services.AddKeyedChatClient("a-primary", failing);
        services.AddKeyedChatClient("b-primary", new TestChatClient("healthy"));
        services.AddKeyedChatClient("backup", new TestChatClient("backup"));
        services.AddLlmRouter("a", r => Resilient(r, "a-primary"));
        services.AddLlmRouter("b", r => Resilient(r, "b-primary"));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient a = provider.GetRequiredKeyedService<IChatClient>("a");
        IChatClient b = provider.GetRequiredKeyedService<IChatClient>("b");

        for (int i = 0; i < 4; i++)
        {
            await a.GetResponseAsync($"a {i}"); // served by backup after the primary fails, until its circuit opens
        }

        RouteInfo routeA = (await a.GetResponseAsync("a again")).GetRouteInfo()!;
        RouteInfo routeB = (await b.GetResponseAsync("b")).GetRouteInfo()!;
        Assert.Contains(routeA.Rejections, r => r is { Target: "primary", Filter: "health" });
        Assert.Equal(("primary", 0), (routeB.Target, routeB.Rejections.Count));

        static void Resilient(LlmRouterBuilder r, string primaryKey) => r
            .AddTarget("primary", t => t.UseKeyedClient(primaryKey))
            .AddTarget("backup")
            .Default("primary")
            .UseFallback(f =>
            {
                f.Resilience.EnableRetry = false;
                f.Resilience.CircuitBreaker.MinimumThroughput = 2;
            });
    }

    [Fact]
    public async Task ANamedRouter_BindsFromLlmRoutersName_AndValidatesOnStartNamingTheRouter()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouters:support:Targets:0:Name"] = "big",
            ["LlmRouters:support:Targets:0:InputPricePerMillion"] = "2",
            ["LlmRouters:support:Default"] = "big",
            ["LlmRouters:broken:Targets:0:Name"] = "big",
            ["LlmRouters:broken:Default"] = "missing",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddKeyedChatClient("big", new TestChatClient("big"));
        services.AddLlmRouter("support", _ => { });
        using ServiceProvider provider = services.BuildServiceProvider();

        RouteInfo route = (await provider.GetRequiredKeyedService<IChatClient>("support").GetResponseAsync("hi")).GetRouteInfo()!;
        Assert.Equal("big", route.Target);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var broken = new ServiceCollection();
        broken.AddSingleton<IConfiguration>(configuration);
        broken.AddKeyedChatClient("big", new TestChatClient("big"));
        broken.AddLlmRouter("broken", _ => { });
        using ServiceProvider failing = broken.BuildServiceProvider();
        var e = Assert.ThrowsAny<OptionsValidationException>(() => failing.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(e.Failures, f => f.StartsWith("router 'broken': LlmRouters:broken:Default 'missing' is not a configured target", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Failures, f => f.Contains("LlmRouting:", StringComparison.Ordinal));
    }

    [Fact]
    public void ANamedRoutersConfiguredStrategy_FailsNamingTheSectionTheRouterReads()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouters:search:Targets:0:Name"] = "big",
            ["LlmRouters:search:Default"] = "big",
            ["LlmRouters:search:Strategies:0"] = "embedding",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddKeyedChatClient("big", new TestChatClient("big"));
        services.AddLlmRouter("search", _ => { });
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.ThrowsAny<OptionsValidationException>(() => provider.GetRequiredKeyedService<IChatClient>("search"));
        string failure = Assert.Single(e.Failures);
        Assert.StartsWith("LlmRouters:search:Embedding:Routes is empty, but the 'embedding' strategy is listed in LlmRouters:search:Strategies;", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Routers:Chat", "Routers:Chat:Default 'missing' is not a configured target")]
    [InlineData("App:LlmRouting", "App:LlmRouting:Default 'missing' is not a configured target")]
    [InlineData("LlmRouting", "LlmRouting:Default 'missing' is not a configured target")]
    public void AnyBoundSection_IsTheOneValidationMessagesName(string section, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{section}:Targets:0:Name"] = "big",
            [$"{section}:Default"] = "missing",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyedChatClient("big", new TestChatClient("big"));
        services.AddLlmRouter(r => r.BindConfiguration(configuration.GetSection(section)));
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.ThrowsAny<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Contains(e.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TwoRoutersWithOneName_OrTwoUnnamed_FailWithAClearMessage_ANamedAndTheUnnamedOneDoNot()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter("support", r => r.AddTarget("a").Default("a"));
        services.AddLlmRouter(r => r.AddTarget("a").Default("a")); // named first, then unnamed: fine

        var twice = Assert.Throws<InvalidOperationException>(() => services.AddLlmRouter("support", r => r.AddTarget("a").Default("a")));
        Assert.Equal("A router named 'support' is already registered: AddLlmRouter(\"support\", …) was called twice. Configure it in one call, or give the second router another name.", twice.Message);
        var unnamed = Assert.Throws<InvalidOperationException>(() => services.AddLlmRouter(r => r.AddTarget("a").Default("a")));
        Assert.Contains("AddLlmRouter(\"name\", …)", unnamed.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => services.AddLlmRouter(" ", r => r.AddTarget("a").Default("a")));
    }
}
