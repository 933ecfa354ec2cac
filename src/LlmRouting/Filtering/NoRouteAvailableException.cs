namespace LlmRouting;

/// <summary>Thrown when no target can serve a request; names every target and what it lacked.</summary>
public sealed class NoRouteAvailableException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="NoRouteAvailableException"/> class.</summary>
    public NoRouteAvailableException()
        : this([])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NoRouteAvailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    public NoRouteAvailableException(string message)
        : base(message)
    {
        Rejections = [];
    }

    /// <summary>Initializes a new instance of the <see cref="NoRouteAvailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public NoRouteAvailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Rejections = [];
    }

    /// <summary>Initializes a new instance of the <see cref="NoRouteAvailableException"/> class.</summary>
    /// <param name="rejections">Why each target was rejected.</param>
    public NoRouteAvailableException(IReadOnlyList<CandidateRejection> rejections)
        : base(BuildMessage(rejections))
    {
        Rejections = rejections;
    }

    /// <summary>Gets why each target was rejected.</summary>
    public IReadOnlyList<CandidateRejection> Rejections { get; }

    private static string BuildMessage(IReadOnlyList<CandidateRejection> rejections)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        return rejections.Count == 0
            ? "No target can serve this request."
            : $"No target can serve this request: {string.Join("; ", rejections)}.";
    }
}
