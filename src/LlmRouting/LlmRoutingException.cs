namespace LlmRouting;

/// <summary>The base of the exceptions the library throws for routing outcomes (no route, time budget spent, stream interrupted, budget spent, shared state unavailable).</summary>
/// <remarks>
/// Catch it to handle every routing outcome in one place; provider failures (HTTP, timeouts of a single call) and
/// argument or configuration errors keep their own .NET types.
/// </remarks>
public abstract class LlmRoutingException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LlmRoutingException"/> class.</summary>
    protected LlmRoutingException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmRoutingException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    protected LlmRoutingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmRoutingException"/> class with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    protected LlmRoutingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
