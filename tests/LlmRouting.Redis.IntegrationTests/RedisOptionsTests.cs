using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Redis.IntegrationTests;

public class RedisOptionsTests
{
    [Fact]
    public void Configuration_IsBound_AndValidated()
    {
        IConfiguration section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionString"] = "127.0.0.1:1",
            ["KeyPrefix"] = "app:",
            ["OutageBehavior"] = "FailClosed",
        }).Build();
        var services = new ServiceCollection();

        services.AddLlmRoutingRedis(section);

        using ServiceProvider provider = services.BuildServiceProvider();
        LlmRoutingRedisOptions options = provider.GetRequiredService<LlmRoutingRedisOptions>();
        Assert.Equal("app:", options.KeyPrefix);
        Assert.Equal(RedisOutageBehavior.FailClosed, options.OutageBehavior);
    }

    [Theory]
    [InlineData("ConnectionString", "LlmRouting:Redis:ConnectionString must not be empty.")]
    [InlineData("KeyPrefix", "LlmRouting:Redis:KeyPrefix is required.")]
    [InlineData("OperationTimeout.Zero", "LlmRouting:Redis:OperationTimeout must be greater than 00:00:00 and at most 00:01:00 (was 00:00:00).")]
    [InlineData("OperationTimeout.Long", "LlmRouting:Redis:OperationTimeout must be greater than 00:00:00 and at most 00:01:00 (was 00:02:00).")]
    [InlineData("OutageBehavior", "LlmRouting:Redis:OutageBehavior must be one of FailOpen, FailClosed (was 7).")]
    public void AnInvalidSetting_FailsWhenRedisIsAdded_NamingTheField(string mistake, string message)
    {
        Action<LlmRoutingRedisOptions> configure = mistake switch
        {
            "ConnectionString" => o => o.ConnectionString = " ",
            "KeyPrefix" => o => o.KeyPrefix = null!,
            "OperationTimeout.Zero" => o => o.OperationTimeout = TimeSpan.Zero,
            "OperationTimeout.Long" => o => o.OperationTimeout = TimeSpan.FromMinutes(2),
            _ => o => o.OutageBehavior = (RedisOutageBehavior)7,
        };

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddLlmRoutingRedis("127.0.0.1:1", configure));

        Assert.Equal([message], error.Failures);
    }

    [Fact]
    public void AMissingConnectionString_InConfiguration_FailsNamingTheField()
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddLlmRoutingRedis(new ConfigurationBuilder().Build()));

        Assert.Equal(["LlmRouting:Redis:ConnectionString must not be empty."], error.Failures);
    }

    [Fact]
    public void Configuration_IsBoundStrictly()
    {
        IConfiguration root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmRouting:Redis:ConnectionString"] = "127.0.0.1:1",
            ["LlmRouting:Redis:OutageBehaviour"] = "FailClosed",
            ["LlmRouting:Redis:OperationTimeout"] = "1s",
        }).Build();

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ServiceCollection().AddLlmRoutingRedis(root.GetSection("LlmRouting:Redis")));

        Assert.Equal(
            [
                "LlmRouting:Redis:OperationTimeout '1s' is not a valid time span; use [d.]hh:mm:ss[.fffffff] (e.g. 00:00:00.050 for 50 ms).",
                "LlmRouting:Redis:OutageBehaviour is not a known setting (known: ConnectionString, KeyPrefix, OutageBehavior, OperationTimeout, ShareBudgets, ShareStatistics, ShareExactCache, ShareLabels, LabelCapacity). Did you mean 'OutageBehavior'?",
            ],
            ex.Failures);
    }

    [Theory]
    [InlineData("0.000000001", 1L)]
    [InlineData("12.345678912", 12_345_678_912L)]
    [InlineData("0.0000000015", 2L)]
    [InlineData("0.0000000025", 2L)]
    public void Amounts_AreStoredAsExactNanoUnits(string amount, long nanos)
    {
        decimal value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(nanos, RedisBudgetStore.ToNanos(value));
        Assert.Equal(nanos / 1_000_000_000m, RedisBudgetStore.ToAmount(nanos));
    }
}
