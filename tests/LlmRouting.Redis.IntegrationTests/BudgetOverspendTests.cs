using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting.Redis.IntegrationTests;

/// <summary>Two router instances share one refusing budget through a real redis-server and many callers race for it.</summary>
[Collection(RedisCollection.Name)]
public sealed class BudgetOverspendTests : IDisposable
{
    private const decimal Limit = 10m;
    private const int MaxOutputTokens = 50;

    private readonly RedisServerFixture _redis;
    private readonly ITestOutputHelper _output;
    private readonly List<ServiceProvider> _instances = [];

    public BudgetOverspendTests(RedisServerFixture redis, ITestOutputHelper output)
    {
        _redis = redis;
        _output = output;
        _redis.Start();
    }

    public void Dispose()
    {
        foreach (ServiceProvider instance in _instances)
        {
            instance.Dispose();
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(8)]
    public async Task TwoInstances_ManyConcurrentCallers_OverspendAtMostOneRequestsEstimate(int callersPerInstance)
    {
        string prefix = $"overspend-{Guid.NewGuid():N}:";
        (IChatClient Chat, BillingProvider Provider, ServiceProvider Services)[] nodes = [Node(prefix), Node(prefix)];
        decimal maxEstimate = MaxCost;

        int served = 0;
        int refused = 0;
        await Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, callersPerInstance).Select(caller => Task.Run(async () =>
        {
            for (int i = 0; ; i++)
            {
                var options = new ChatOptions { MaxOutputTokens = MaxOutputTokens, AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = "acme" } };
                try
                {
                    await node.Chat.GetResponseAsync(Prompt(caller, i), options);
                    Interlocked.Increment(ref served);
                }
                catch (BudgetExceededException)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
            }
        }))));

        IBudgetStore store = nodes[0].Services.GetRequiredService<IBudgetStore>();
        decimal spent = await store.GetSpentAsync(new BudgetOptions { Period = BudgetPeriod.Day }.KeyAt("acme", DateTimeOffset.UtcNow));
        decimal billed = nodes.Sum(n => n.Provider.Billed);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"2 x {callersPerInstance} callers, limit {Limit}: served {served}, refused {refused}, provider billed {billed}, budget spent {spent}, overspend {spent - Limit}, one request's estimate {maxEstimate}"));

        Assert.Equal(billed, spent);
        Assert.Equal(2 * callersPerInstance, refused);
        Assert.True(spent <= Limit + maxEstimate, $"Spent {spent} against a limit of {Limit}: more than one request's estimated cost ({maxEstimate}) over.");
    }

    private (IChatClient Chat, BillingProvider Provider, ServiceProvider Services) Node(string prefix)
    {
        BillingProvider provider = MeteredProvider();
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", provider, t => t.Prices(input: BillingProvider.InputPrice, output: BillingProvider.OutputPrice))
            .Default("premium")
            .UseCostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = RequestMetadataKeys.Tenant, Period = BudgetPeriod.Day, Limit = Limit, RefuseAtLimit = true })));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o => o.KeyPrefix = prefix);
        ServiceProvider built = services.BuildServiceProvider();
        _instances.Add(built);
        return (built.GetRequiredService<IChatClient>(), provider, built);
    }

    /// <summary>The largest cost of one request: its estimated input and the full output allowance.</summary>
    private static decimal MaxCost => ((new RoutingRequest(Prompt(0, 0)).EstimatedInputTokens * BillingProvider.InputPrice) + (MaxOutputTokens * BillingProvider.OutputPrice)) / 1_000_000m;

    private static string Prompt(int caller, int i) =>
        string.Create(CultureInfo.InvariantCulture, $"Caller {caller:000} request {i:0000}: summarise the quarterly report in three short bullet points for the board, please.");

    /// <summary>A provider that bills what the router estimates for the prompt and 10–50 output tokens, after 5–25 ms.</summary>
    private static BillingProvider MeteredProvider() =>
        new((5, 25), messages => new RoutingRequest(messages).EstimatedInputTokens, (10, MaxOutputTokens + 1), "- one\n- two\n- three");
}
