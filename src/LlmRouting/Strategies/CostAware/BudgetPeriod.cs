namespace LlmRouting.Strategies;

/// <summary>The window a budget resets on (UTC).</summary>
public enum BudgetPeriod
{
    /// <summary>A calendar day, from 00:00 UTC.</summary>
    Day,

    /// <summary>A calendar month, from the first at 00:00 UTC.</summary>
    Month,
}
