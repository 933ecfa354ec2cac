using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Settings of the <see cref="BanditStrategy"/>; validated when the router is built (and by the strategy's constructor), each failure naming its field.</summary>
public sealed class BanditOptions
{
    /// <summary>The configuration section the options are read from (<c>LlmRouting:Strategies</c> listing <c>bandit</c>, or <c>UseBandit</c>), and the path validation failures are named under.</summary>
    public const string SectionName = "LlmRouting:Bandit";

    /// <summary>Gets or sets how much one unit of cost (in the price currency) weighs against one point of outcome score: reward = score − <c>CostWeight</c> × cost.</summary>
    /// <value>The default is 10 (ten cents of cost weigh as much as the whole score range).</value>
    [NotNegative]
    public double CostWeight { get; set; } = 10d;

    /// <summary>Gets or sets the share of requests decided by Thompson sampling (exploration); the others go to the target with the best expected reward.</summary>
    /// <value>The default is 0.1.</value>
    [Range(0.0, 1.0)]
    public double ExplorationRate { get; set; } = 0.1d;

    /// <summary>Gets or sets the reward assumed before any outcome is seen; optimistic (1) makes every target be tried early.</summary>
    /// <value>The default is 1.</value>
    [Finite]
    public double PriorMean { get; set; } = 1d;

    /// <summary>Gets or sets how many observations the prior is worth.</summary>
    /// <value>The default is 1.</value>
    [Positive]
    public double PriorWeight { get; set; } = 1d;

    /// <summary>Gets or sets the assumed spread (standard deviation) of one reward, used until enough outcomes give a measured one; also its lower bound.</summary>
    /// <value>The default is 0.25.</value>
    [Positive]
    public double RewardNoise { get; set; } = 0.25d;

    /// <summary>Gets the targets the strategy chooses between; empty means every candidate.</summary>
    /// <value>The default is empty.</value>
    public IList<string> Targets { get; } = [];

    /// <summary>Gets or sets the prefix of the statistics keys (<c>{prefix}:{context}:{target}</c>); separate routers sharing a store need different prefixes.</summary>
    /// <value>The default is <c>bandit</c>.</value>
    [NotBlank]
    public string KeyPrefix { get; set; } = "bandit";

    /// <summary>Gets or sets the random source (set a seeded <see cref="System.Random"/> for reproducible runs).</summary>
    /// <value>The default is <see langword="null"/>: <see cref="System.Random.Shared"/>.</value>
    public Random? Random { get; set; }
}
