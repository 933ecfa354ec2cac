using LlmRouting;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Configuration;
using LlmRouting.Costs;
using LlmRouting.Statistics;
using LlmRouting.Learning;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Switches LlmRouting's shared state (budgets, routing statistics, exact-cache L2) to Redis.</summary>
public static class LlmRoutingRedisServiceCollectionExtensions
{
    /// <summary>
    /// Shares budgets (<see cref="RedisBudgetStore"/>), routing statistics (<see cref="RedisRoutingStatisticsStore"/>) and the
    /// exact cache's HybridCache L2 between every app instance connected to the same Redis.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">The StackExchange.Redis connection string, e.g. <c>localhost:6379</c>.</param>
    /// <param name="configure">Changes the settings (key prefix, outage behaviour, timeouts, what is shared).</param>
    /// <returns>The services.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The connection string is empty or a setting is out of range; the message names it.</exception>
    /// <remarks>
    /// Call it after <c>AddLlmRouter</c> and any other registration of <see cref="IBudgetStore"/>,
    /// <see cref="IRoutingStatisticsStore"/> or <see cref="IDistributedCache"/>: it replaces them. The connection is made
    /// on first use and never blocks start-up; see docs/scale-out.md for what stays local and the outage behaviour.
    /// </remarks>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, string connectionString, Action<LlmRoutingRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new LlmRoutingRedisOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        return AddCore(services, options);
    }

    /// <summary>Shares LlmRouting's state through Redis with settings bound from configuration, e.g. the section <c>LlmRouting:Redis</c>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding <see cref="LlmRoutingRedisOptions"/> (<c>ConnectionString</c>, <c>KeyPrefix</c>, <c>OutageBehavior</c>, …).</param>
    /// <returns>The services.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A key is unknown, a value does not convert, the connection string is missing or a setting is out of range.</exception>
    public static IServiceCollection AddLlmRoutingRedis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Strict: an unknown key or a value that does not convert fails here, with its path.
        LlmRoutingRedisOptions options = ConfigurationValues.Bind(configuration, new LlmRoutingRedisOptions());
        return AddCore(services, options);
    }

    private static IServiceCollection AddCore(IServiceCollection services, LlmRoutingRedisOptions options)
    {
        OptionsValidation.ThrowIfInvalid(options, "LlmRouting:Redis");

        services.AddSingleton(options);
        services.AddSingleton(new RedisConnectionHolder(options));
        if (options.ShareBudgets)
        {
            services.RemoveAll<IBudgetStore>();
            services.AddSingleton(sp => new RedisBudgetStore(
                sp.GetRequiredService<RedisConnectionHolder>().Connection, options, sp.GetService<ILogger<RedisBudgetStore>>(), sp.GetService<TimeProvider>()));
            services.AddSingleton<IBudgetStore>(sp => sp.GetRequiredService<RedisBudgetStore>());
        }

        if (options.ShareStatistics)
        {
            services.RemoveAll<IRoutingStatisticsStore>();
            services.AddSingleton(sp => new RedisRoutingStatisticsStore(
                sp.GetRequiredService<RedisConnectionHolder>().Connection, options, sp.GetService<ILogger<RedisRoutingStatisticsStore>>()));
            services.AddSingleton<IRoutingStatisticsStore>(sp => sp.GetRequiredService<RedisRoutingStatisticsStore>());
        }

        if (options.ShareLabels)
        {
            services.RemoveAll<IRoutingLabelStore>();
            services.AddSingleton<IRoutingLabelStore>(sp => new RedisRoutingLabelStore(sp.GetRequiredService<RedisConnectionHolder>().Connection, options));
        }

        if (options.ShareExactCache)
        {
            services.RemoveAll<IDistributedCache>();
            services.AddSingleton<IDistributedCache>(sp =>
            {
                RedisConnectionHolder holder = sp.GetRequiredService<RedisConnectionHolder>();
                var redis = new RedisCache(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult(holder.Connection),
                    InstanceName = options.KeyPrefix + "cache:",
                });
                ILogger logger = sp.GetService<ILoggerFactory>()?.CreateLogger("LlmRouting.Redis.ExactCache") ?? NullLogger.Instance;
                return new FailOpenDistributedCache(redis, new RedisOutageTracker("exact cache", RedisOutageBehavior.FailOpen, logger));
            });
            services.AddHybridCache();
        }

        return services;
    }
}
