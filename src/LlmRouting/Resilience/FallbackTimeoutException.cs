namespace LlmRouting.Resilience;

/// <summary>Thrown when a request's total time budget (<see cref="FallbackOptions.TotalTimeout"/>) ran out across its attempts.</summary>
public sealed class FallbackTimeoutException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="FallbackTimeoutException"/> class.</summary>
    public FallbackTimeoutException()
        : base("The request's total time budget ran out before any target answered.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FallbackTimeoutException"/> class.</summary>
    /// <param name="message">The message.</param>
    public FallbackTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FallbackTimeoutException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public FallbackTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
