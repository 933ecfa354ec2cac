using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>A spending limit per tenant, user or metadata key, per day or month; validated with the cost-aware options it belongs to.</summary>
public sealed class BudgetOptions
{
    /// <summary>Gets or sets the request metadata key whose value scopes the budget (e.g. <c>tenant</c>, <c>user</c>, <c>api-key</c>).</summary>
    /// <value>The default is <c>tenant</c>.</value>
    [NotBlank]
    public string ScopeKey { get; set; } = RequestMetadataKeys.Tenant;

    /// <summary>Gets or sets the period.</summary>
    /// <value>The default is <see cref="BudgetPeriod.Month"/>.</value>
    [EnumDataType(typeof(BudgetPeriod))]
    public BudgetPeriod Period { get; set; } = BudgetPeriod.Month;

    /// <summary>Gets or sets the limit per scope and period, in the price table's currency.</summary>
    [Positive]
    public decimal Limit { get; set; }

    /// <summary>Gets or sets the share of the limit from which premium targets are avoided.</summary>
    /// <value>The default is 0.8.</value>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double DegradeAt { get; set; } = 0.8;

    /// <summary>Gets or sets a value indicating whether a request is refused with <see cref="BudgetExceededException"/> once the limit is reached; otherwise it goes to the cheapest candidate.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RefuseAtLimit { get; set; }

    /// <summary>Gets the window containing <paramref name="now"/>: its start and its end.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The window.</returns>
    public (DateTimeOffset Start, DateTimeOffset End) WindowAt(DateTimeOffset now)
    {
        DateTimeOffset utc = now.ToUniversalTime();
        DateTimeOffset start = Period == BudgetPeriod.Day
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return (start, Period == BudgetPeriod.Day ? start.AddDays(1) : start.AddMonths(1));
    }

    /// <summary>Gets the store key for a scope value in the window containing <paramref name="now"/>.</summary>
    /// <param name="scopeValue">The scope value (e.g. the tenant id).</param>
    /// <param name="now">The current time.</param>
    /// <returns>The key.</returns>
    public string KeyAt(string scopeValue, DateTimeOffset now)
    {
        (DateTimeOffset start, _) = WindowAt(now);
        string window = Period == BudgetPeriod.Day ? start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        return $"llmrouting:budget:{ScopeKey}:{scopeValue}:{window}";
    }
}
