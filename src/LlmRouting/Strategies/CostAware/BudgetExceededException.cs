using LlmRouting.Costs;

namespace LlmRouting.Strategies;

/// <summary>Thrown, before any model is called, when a budget with <see cref="BudgetOptions.RefuseAtLimit"/> is spent.</summary>
public sealed class BudgetExceededException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    public BudgetExceededException()
        : base("The budget for this request's scope is spent.")
    {
        ScopeKey = string.Empty;
        Scope = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    /// <param name="message">The message.</param>
    public BudgetExceededException(string message)
        : base(message)
    {
        ScopeKey = string.Empty;
        Scope = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
        ScopeKey = string.Empty;
        Scope = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    /// <param name="scopeKey">The metadata key the budget is scoped by.</param>
    /// <param name="scope">The scope value (e.g. the tenant).</param>
    /// <param name="period">The period.</param>
    /// <param name="limit">The limit.</param>
    /// <param name="spent">What has been spent.</param>
    /// <param name="resetsAt">When the budget resets.</param>
    public BudgetExceededException(string scopeKey, string scope, BudgetPeriod period, decimal limit, decimal spent, DateTimeOffset resetsAt)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The {(period == BudgetPeriod.Day ? "daily" : "monthly")} budget for {scopeKey} '{scope}' is spent ({spent:0.######} of {limit:0.######}); it resets at {resetsAt:O}."))
    {
        ScopeKey = scopeKey;
        Scope = scope;
        Period = period;
        Limit = limit;
        Spent = spent;
        ResetsAt = resetsAt;
    }

    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class for a reservation the budget cannot cover.</summary>
    /// <param name="scopeKey">The metadata key the budget is scoped by.</param>
    /// <param name="scope">The scope value (e.g. the tenant).</param>
    /// <param name="period">The period.</param>
    /// <param name="limit">The limit.</param>
    /// <param name="balance">What was spent and reserved when the reservation was refused.</param>
    /// <param name="estimatedCost">The request's estimated cost, which did not fit.</param>
    /// <param name="resetsAt">When the budget resets.</param>
    public BudgetExceededException(string scopeKey, string scope, BudgetPeriod period, decimal limit, BudgetBalance balance, decimal estimatedCost, DateTimeOffset resetsAt)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The {(period == BudgetPeriod.Day ? "daily" : "monthly")} budget for {scopeKey} '{scope}' cannot cover this request: {balance.Spent:0.######} spent and {balance.Reserved:0.######} reserved of {limit:0.######}, and the request's estimated cost is {estimatedCost:0.######}; it resets at {resetsAt:O}."))
    {
        ScopeKey = scopeKey;
        Scope = scope;
        Period = period;
        Limit = limit;
        Spent = balance.Spent;
        Reserved = balance.Reserved;
        EstimatedCost = estimatedCost;
        ResetsAt = resetsAt;
    }

    /// <summary>Gets the metadata key the budget is scoped by.</summary>
    public string ScopeKey { get; }

    /// <summary>Gets the scope value.</summary>
    public string Scope { get; }

    /// <summary>Gets the period.</summary>
    public BudgetPeriod Period { get; }

    /// <summary>Gets the limit.</summary>
    public decimal Limit { get; }

    /// <summary>Gets what has been spent.</summary>
    public decimal Spent { get; }

    /// <summary>Gets what requests in flight had reserved when this one was refused.</summary>
    public decimal Reserved { get; }

    /// <summary>Gets the refused request's estimated cost, when a reservation was refused; <see langword="null"/> when the budget was already spent.</summary>
    public decimal? EstimatedCost { get; }

    /// <summary>Gets when the budget resets.</summary>
    public DateTimeOffset ResetsAt { get; }
}
