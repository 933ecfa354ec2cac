using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using LlmRouting.Accounting;
using LlmRouting.Strategies;

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
        (IChatClient Chat, MeteredProvider Provider, ServiceProvider Services)[] nodes = [Node(prefix), Node(prefix)];
        decimal maxEstimate = MeteredProvider.MaxCost;

        int served = 0;
        int refused = 0;
        await Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, callersPerInstance).Select(caller => Task.Run(async () =>
        {
            for (int i = 0; ; i++)
            {
                var options = new ChatOptions { MaxOutputTokens = MaxOutputTokens, AdditionalProperties = new() { [RequestMetadataKeys.Tenant] = "acme" } };
                try
                {
                    await node.Chat.GetResponseAsync(MeteredProvider.Prompt(caller, i), options);
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

    private (IChatClient Chat, MeteredProvider Provider, ServiceProvider Services) Node(string prefix)
    {
        var provider = new MeteredProvider();
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("premium", provider, t => t.Prices(input: MeteredProvider.InputPrice, output: MeteredProvider.OutputPrice))
            .Default("premium")
            .UseCostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = RequestMetadataKeys.Tenant, Period = BudgetPeriod.Day, Limit = Limit, RefuseAtLimit = true })));
        services.AddLlmRoutingRedis(_redis.ConnectionString, o => o.KeyPrefix = prefix);
        ServiceProvider built = services.BuildServiceProvider();
        _instances.Add(built);
        return (built.GetRequiredService<IChatClient>(), provider, built);
    }

    /// <summary>A provider that bills what the router estimates for the prompt and 10–50 output tokens, after 5–25 ms.</summary>
    private sealed class MeteredProvider : IChatClient
    {
        public const decimal InputPrice = 1000m;
        public const decimal OutputPrice = 2000m;

        private readonly Lock _gate = new();
        private decimal _billed;

        /// <summary>Gets the largest cost of one request: its estimated input and the full output allowance.</summary>
        public static decimal MaxCost => ((new RoutingRequest(Prompt(0, 0)).EstimatedInputTokens * InputPrice) + (MaxOutputTokens * OutputPrice)) / 1_000_000m;

        public decimal Billed
        {
            get
            {
                lock (_gate)
                {
                    return _billed;
                }
            }
        }

        public static string Prompt(int caller, int i) =>
            string.Create(CultureInfo.InvariantCulture, $"Caller {caller:000} request {i:0000}: summarise the quarterly report in three short bullet points for the board, please.");

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Random.Shared.Next(5, 25), cancellationToken);
            int input = new RoutingRequest(messages).EstimatedInputTokens;
            int output = Random.Shared.Next(10, MaxOutputTokens + 1);
            lock (_gate)
            {
                _billed += ((input * InputPrice) + (output * OutputPrice)) / 1_000_000m;
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "- one\n- two\n- three"))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
            };
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
            foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
