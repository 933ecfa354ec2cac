namespace LlmRouting.Accounting;

/// <summary>Receives one structured, content-free record per routed request, for compliance and later analysis.</summary>
/// <remarks>
/// Called on the request's thread once the request has ended; keep it fast (buffer, don't block on I/O). Exceptions are
/// caught and logged by the router, never surfaced to the caller. Implementations must be thread-safe.
/// </remarks>
public interface IRouteAuditSink
{
    /// <summary>Writes one record.</summary>
    /// <param name="record">The record.</param>
    void Write(RouteAuditRecord record);
}
