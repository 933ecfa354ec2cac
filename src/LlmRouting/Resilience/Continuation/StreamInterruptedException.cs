using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>
/// Thrown when a stream broke or stalled after output had reached the caller and could not be continued on another
/// target: continuation is on but a function call or non-text content had already been streamed, no target was
/// left, or the continuation limit was reached. Carries what was streamed and the route so far.
/// </summary>
/// <remarks>The original failure is the <see cref="Exception.InnerException"/>. The message never contains streamed text.</remarks>
public sealed class StreamInterruptedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    public StreamInterruptedException()
        : this("The stream was interrupted after output had been streamed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public StreamInterruptedException(string message)
        : base(message)
    {
        Streamed = [];
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure that broke the stream.</param>
    public StreamInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Streamed = [];
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure that broke the stream.</param>
    /// <param name="streamed">The updates the caller already received, in order.</param>
    /// <param name="route">The route so far.</param>
    public StreamInterruptedException(string message, Exception innerException, IReadOnlyList<ChatResponseUpdate> streamed, RouteInfo route)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(streamed);
        ArgumentNullException.ThrowIfNull(route);
        Streamed = streamed;
        Route = route;
    }

    /// <summary>Gets the updates the caller already received before the interruption, in order.</summary>
    public IReadOnlyList<ChatResponseUpdate> Streamed { get; }

    /// <summary>Gets the route so far (attempts, targets, cost), when known.</summary>
    public RouteInfo? Route { get; }
}
