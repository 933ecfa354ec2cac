namespace LlmRouting.Agents;

/// <summary>Thrown instead of calling a target when loop detection trips with <see cref="LoopAction.Throw"/>; carries the evidence.</summary>
public sealed class AgentLoopDetectedException : LlmRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="AgentLoopDetectedException"/> class.</summary>
    public AgentLoopDetectedException()
        : this("An agent loop was detected.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AgentLoopDetectedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public AgentLoopDetectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AgentLoopDetectedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentLoopDetectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AgentLoopDetectedException"/> class from the evidence.</summary>
    /// <param name="evidence">What tripped.</param>
    /// <param name="session">The session, if the call named one.</param>
    /// <param name="routeId">The id of the refused route (in the audit trail).</param>
    public AgentLoopDetectedException(AgentLoopEvidence evidence, string? session, string? routeId)
        : base($"Agent loop detected: {evidence?.ToString()}; the call was refused (LoopDetection:OnTrip is Throw).")
    {
        ArgumentNullException.ThrowIfNull(evidence);
        Evidence = evidence;
        Session = session;
        RouteId = routeId;
    }

    /// <summary>Gets what tripped; <see langword="null"/> only for the parameterless constructors.</summary>
    public AgentLoopEvidence? Evidence { get; }

    /// <summary>Gets the session the call belonged to, if any.</summary>
    public string? Session { get; }

    /// <summary>Gets the id of the refused route, as recorded by the audit trail and the ledger.</summary>
    public string? RouteId { get; }
}
