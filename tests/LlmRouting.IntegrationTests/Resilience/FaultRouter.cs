using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using LlmRouting.Resilience;

namespace LlmRouting.IntegrationTests;

/// <summary>
/// A router over three targets ("a", "b", "c", premium → standard → economy) served by the fake server through the
/// official OpenAI client with the client's own retries disabled, so every retry and failover is the router's.
/// </summary>
internal sealed class FaultRouter : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

    public FaultRouter(FakeOpenAIServer server, string prefix, Action<FallbackOptions>? configure = null, Action<LlmRouterBuilder>? router = null, TimeSpan? networkTimeout = null, Func<IChatClient, IChatClient>? provider = null)
    {
        Prefix = prefix;
        var openAi = new OpenAIClient(
            new ApiKeyCredential("test-key-not-secret"),
            new OpenAIClientOptions
            {
                Endpoint = server.Endpoint,
                Transport = new HttpClientPipelineTransport(_http), // own connection pool: one test's aborted connections never hit another's
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = networkTimeout ?? TimeSpan.FromSeconds(30),
            });
        var services = new ServiceCollection();
        services.AddSingleton(InFlight);
        foreach (string name in Names)
        {
            IChatClient client = openAi.GetChatClient(Model(name)).AsIChatClient();
            services.AddKeyedChatClient(name, provider?.Invoke(client) ?? client);
        }

        services.AddLlmRouter(r =>
        {
            r.AddTarget("a", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
             .AddTarget("b", t => t.Prices(0.50m, 2m).Tier(QualityTier.Standard))
             .AddTarget("c", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
             .Default("a")
             .UseFallback(o =>
             {
                 o.Resilience.EnableRetry = false;
                 o.Resilience.Retry.Delay = TimeSpan.FromMilliseconds(1);
                 o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2);
                 o.TotalTimeout = TimeSpan.FromSeconds(20);
                 configure?.Invoke(o);
             })
             .DecorateTargets(d => new InFlightCountingChatClient(d.Client, d.Services.GetRequiredService<InFlightCounter>()));
            router?.Invoke(r);
        });
        _provider = services.BuildServiceProvider();
        Chat = _provider.GetRequiredService<IChatClient>();
    }

    public static IReadOnlyList<string> Names { get; } = ["a", "b", "c"];

    public string Prefix { get; }

    public IChatClient Chat { get; }

    public InFlightCounter InFlight { get; } = new();

    public TargetHealthMonitor Health => _provider.GetRequiredService<TargetHealthMonitor>();

    public IServiceProvider Services => _provider;

    public string Model(string target) => $"{Prefix}-{target}";

    public void Dispose()
    {
        _provider.Dispose();
        _http.Dispose();
    }
}
