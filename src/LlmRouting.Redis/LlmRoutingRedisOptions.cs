using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting;

/// <summary>Settings of LlmRouting's Redis-backed shared state (<c>services.AddLlmRoutingRedis(…)</c>).</summary>
public sealed class LlmRoutingRedisOptions
{
    /// <summary>Gets or sets the StackExchange.Redis connection string, e.g. <c>localhost:6379</c>.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    [NotBlank]
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the prefix of every Redis key LlmRouting writes, so several apps can share one Redis.</summary>
    /// <value>The default is <c>llmrouting:</c>.</value>
    [Required(AllowEmptyStrings = true)]
    public string KeyPrefix { get; set; } = "llmrouting:";

    /// <summary>Gets or sets what the stores do while Redis cannot be reached.</summary>
    /// <value>The default is <see cref="RedisOutageBehavior.FailOpen"/>.</value>
    [EnumDataType(typeof(RedisOutageBehavior))]
    public RedisOutageBehavior OutageBehavior { get; set; } = RedisOutageBehavior.FailOpen;

    /// <summary>Gets or sets how long one Redis operation may take before it counts as failed.</summary>
    /// <value>The default is one second.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets a value indicating whether budgets are shared through Redis (<see cref="RedisBudgetStore"/>).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ShareBudgets { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether routing statistics are shared through Redis (<see cref="RedisRoutingStatisticsStore"/>).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ShareStatistics { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the exact cache uses Redis as its HybridCache L2.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ShareExactCache { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether routing labels (audits, outcomes, escalations) are shared through Redis (<see cref="RedisRoutingLabelStore"/>).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ShareLabels { get; set; } = true;

    /// <summary>Gets or sets about how many labels the Redis stream keeps (the oldest are trimmed first).</summary>
    /// <value>The default is 100 000.</value>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000_000)]
    public int LabelCapacity { get; set; } = 100_000;
}
