using Microsoft.Extensions.AI;

namespace LlmRouting.Resilience;

/// <summary>
/// Thrown when a streamed answer broke after output had reached the caller — the connection dropped, or the
/// stream ended without a finish reason (the OpenAI SSE reader ends silently when a connection is cut).
/// </summary>
/// <remarks>
/// The message never contains content. <see cref="Updates"/> holds what was streamed, for the caller to keep,
/// discard or resume from; <see cref="Route"/> says which target broke.
/// </remarks>
public sealed class StreamInterruptedException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    public StreamInterruptedException()
        : base("The streamed answer was interrupted after output had been sent.")
    {
        Updates = [];
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public StreamInterruptedException(string message)
        : base(message)
    {
        Updates = [];
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public StreamInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Updates = [];
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class.</summary>
    /// <param name="route">The route so far.</param>
    /// <param name="updates">The updates streamed before the break.</param>
    /// <param name="innerException">The failure, if the stream threw rather than ended early.</param>
    public StreamInterruptedException(RouteInfo route, IReadOnlyList<ChatResponseUpdate> updates, Exception? innerException)
        : base($"The stream from target '{route?.Target}' broke after {updates?.Count} update(s) had been sent to the caller{(innerException is null ? " (it ended without a finish reason)" : $" ({innerException.GetType().Name})")}.", innerException)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(updates);
        Route = route;
        Updates = updates;
    }

    /// <summary>Initializes a new instance of the <see cref="StreamInterruptedException"/> class for a stream that mid-stream continuation could not continue.</summary>
    /// <param name="route">The route so far.</param>
    /// <param name="updates">The updates streamed before the break.</param>
    /// <param name="innerException">The failure, if the stream threw rather than ended early.</param>
    /// <param name="notContinuedBecause">Why the stream was not continued on another target (content-free).</param>
    public StreamInterruptedException(RouteInfo route, IReadOnlyList<ChatResponseUpdate> updates, Exception? innerException, string notContinuedBecause)
        : this(route, updates, innerException)
    {
        NotContinuedBecause = notContinuedBecause;
    }

    /// <summary>Gets why mid-stream continuation did not continue the stream, when it was on.</summary>
    public string? NotContinuedBecause { get; }

    /// <inheritdoc/>
    public override string Message => NotContinuedBecause is null ? base.Message : $"{base.Message} It was not continued: {NotContinuedBecause}.";

    /// <summary>Gets the route so far.</summary>
    public RouteInfo? Route { get; }

    /// <summary>Gets the updates streamed before the break.</summary>
    public IReadOnlyList<ChatResponseUpdate> Updates { get; }

    /// <summary>Gets the text streamed before the break.</summary>
    public string PartialText => Updates.ToChatResponse().Text;
}
