namespace LlmRouting.Strategies;

/// <summary>Told a budget's total spend after each request was recorded against it (telemetry implements it; the budget code knows no instruments).</summary>
internal interface IBudgetSpendListener
{
    /// <summary>Gets a value indicating whether anyone listens now (a disabled instrument): when none does, reserving targets skip the read.</summary>
    bool IsEnabled { get; }

    /// <summary>Called with the budget and its spend in the current window, after the request's cost was added.</summary>
    void OnSpent(BudgetOptions budget, decimal spent);
}
