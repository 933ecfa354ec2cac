using System.ComponentModel.DataAnnotations;

namespace LlmRouting.Audits;

/// <summary>Settings of quality audits (<c>UseQualityAudits</c>): how many answers are checked, against what, and at what cost.</summary>
public sealed class QualityAuditOptions
{
    /// <summary>The section name used in validation messages.</summary>
    public const string SectionName = "LlmRouting:QualityAudits";

    /// <summary>Gets or sets the share of requests served below the top tier that are audited, from 0 to 1.</summary>
    /// <value>The default is 0.05 (5 %).</value>
    [Range(0d, 1d)]
    public double SampleRate { get; set; } = 0.05;

    /// <summary>Gets or sets the most audits may cost per UTC day (reference and judge calls, at the targets' prices); further audits are skipped and counted.</summary>
    /// <value>The default is 1 (in the price currency).</value>
    [Range(typeof(decimal), "0", "79228162514264337593543950335")]
    public decimal DailySpendCap { get; set; } = 1m;

    /// <summary>Gets or sets the most audits run at once.</summary>
    /// <value>The default is 2.</value>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>Gets or sets the most audits waiting to run; when full, a new audit is dropped and counted, never awaited.</summary>
    /// <value>The default is 100.</value>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 100;

    /// <summary>Gets or sets the reference target; <see langword="null"/> for the highest-tier candidate that may receive the request (a sensitive request only an allowed one).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ReferenceTarget { get; set; }

    /// <summary>Gets or sets the target asked the pairwise question when no <see cref="IAnswerComparer"/> is registered; <see langword="null"/> for the reference target itself.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? JudgeTarget { get; set; }

    /// <summary>Gets or sets how long the reference target may take to answer.</summary>
    /// <value>The default is 60 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ReferenceTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long the judge may take to give its verdict.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan JudgeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the budget key audit cost is charged to (<see cref="Costs.IBudgetStore.AddSpendAsync"/>, until the end of the UTC day); <see langword="null"/> charges no budget.</summary>
    /// <value>The default is <see langword="null"/>: audit cost is reported in the ledger and metrics only.</value>
    public string? BudgetKey { get; set; }

    /// <summary>Gets or sets the random source of sampling; a seeded <see cref="Random"/> makes runs reproducible.</summary>
    /// <value>The default is <see cref="Random.Shared"/>.</value>
    public Random Random { get; set; } = Random.Shared;
}
