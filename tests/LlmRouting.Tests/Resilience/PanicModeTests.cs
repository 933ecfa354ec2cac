using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

/// <summary>Panic mode: when every candidate's circuit is open, the targets are called anyway, past their open circuits.</summary>
public class PanicModeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryCircuitOpen_ProvidersHealthyAgain_TheRequestIsServed_AndTheCircuitCloses(bool streaming)
    {
        (Provider premium, Provider economy, ServiceProvider provider) = OpenEveryCircuit();
        await using ServiceProvider _ = provider;
        premium.Healthy = economy.Healthy = true;
        int before = premium.Client.Calls;

        RouteInfo route = await SendAsync(provider.GetRequiredService<IChatClient>(), streaming);

        Assert.Equal("premium", route.Target);
        Assert.Equal(before + 1, premium.Client.Calls); // a provider call, past the open circuit
        TargetHealthMonitor monitor = provider.GetRequiredService<TargetHealthMonitor>();
        Assert.Equal(CircuitState.Closed, monitor.GetHealth("premium").State);
        Assert.Equal(CircuitState.Open, monitor.GetHealth("economy").State); // not probed: the premium answered

        // Out of panic: the closed target serves normally, the open one stays out of the candidates.
        RouteInfo next = await SendAsync(provider.GetRequiredService<IChatClient>(), streaming);
        Assert.Equal("premium", next.Target);
        Assert.Contains(next.Rejections, r => r.Target == "economy" && r.Filter == "health");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryCircuitOpen_ProvidersStillDown_FailsWithTheProvidersFailure_AfterOneProbeEach(bool streaming)
    {
        (Provider premium, Provider economy, ServiceProvider provider) = OpenEveryCircuit();
        await using ServiceProvider _ = provider;
        int before = premium.Client.Calls + economy.Client.Calls;

        HttpRequestException failure = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(provider.GetRequiredService<IChatClient>(), streaming));

        Assert.Equal(HttpStatusCode.BadGateway, failure.StatusCode);
        Assert.Equal(before + 2, premium.Client.Calls + economy.Client.Calls); // each target once: no loop, no retries
        Assert.All(provider.GetRequiredService<TargetHealthMonitor>().GetSnapshot(), h => Assert.Equal(CircuitState.Open, h.State));
    }

    [Fact]
    public async Task PanicOff_EveryCircuitOpen_NothingIsCalled()
    {
        (Provider premium, Provider economy, ServiceProvider provider) = OpenEveryCircuit(panic: false);
        await using ServiceProvider _ = provider;
        premium.Healthy = economy.Healthy = true;
        int before = premium.Client.Calls + economy.Client.Calls;

        await Assert.ThrowsAnyAsync<Exception>(() => provider.GetRequiredService<IChatClient>().GetResponseAsync("hello"));

        Assert.Equal(before, premium.Client.Calls + economy.Client.Calls);
    }

    /// <summary>Two targets failing with 502 until each circuit opens (the clock stands still, so they stay open).</summary>
    private static (Provider Premium, Provider Economy, ServiceProvider Services) OpenEveryCircuit(bool panic = true)
    {
        var premium = new Provider("premium");
        var economy = new Provider("economy");
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddKeyedChatClient("premium", premium.Client);
        services.AddKeyedChatClient("economy", economy.Client);
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
            .AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
            .Default("premium")
            .UseFallback(o =>
            {
                o.Resilience.EnableRetry = false;
                o.Resilience.CircuitBreaker.MinimumThroughput = 2;
                o.Resilience.PanicWhenAllUnhealthy = panic;
            }));
        ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        TargetHealthMonitor monitor = provider.GetRequiredService<TargetHealthMonitor>();
        for (int i = 0; i < 4 && !monitor.AllUnavailable(); i++)
        {
            _ = Assert.ThrowsAnyAsync<Exception>(() => chat.GetResponseAsync("hello")).GetAwaiter().GetResult();
        }

        Assert.All(monitor.GetSnapshot(), h => Assert.Equal(CircuitState.Open, h.State));
        return (premium, economy, provider);
    }

    private static async Task<RouteInfo> SendAsync(IChatClient chat, bool streaming)
    {
        if (!streaming)
        {
            return (await chat.GetResponseAsync("hello")).GetRouteInfo()!;
        }

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("hello"));
        return updates[^1].GetRouteInfo()!;
    }

    /// <summary>A provider that fails with 502 until it is healthy again.</summary>
    private sealed class Provider
    {
        public Provider(string name)
        {
            var healthy = new TestChatClient(name);
            Client = new TestChatClient(name)
            {
                GetResponseAsyncCallback = (m, o, ct) => Healthy ? healthy.GetResponseAsync(m, o, ct) : Task.FromException<ChatResponse>(Down()),
                GetStreamingResponseAsyncCallback = (m, o, ct) => Healthy ? healthy.GetStreamingResponseAsync(m, o, ct) : Streams.FailBeforeTheFirstUpdate(Down()),
            };
        }

        public TestChatClient Client { get; }

        public bool Healthy { get; set; }

        private static HttpRequestException Down() => new("bad gateway", null, HttpStatusCode.BadGateway);
    }
}
