namespace LlmRouting.IntegrationTests;

/// <summary>A failure the <see cref="FaultInjector"/> makes the fake server produce.</summary>
public enum FaultKind
{
    /// <summary>No fault: the normal answer.</summary>
    None,

    /// <summary>HTTP 429 with a <c>Retry-After</c> header.</summary>
    RateLimited,

    /// <summary>HTTP 500.</summary>
    InternalServerError,

    /// <summary>HTTP 503.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 400 (the request's fault: must not fall over).</summary>
    BadRequest,

    /// <summary>Waits <see cref="FaultInjector.Delay"/> before answering (beyond the attempt timeout).</summary>
    Delay,

    /// <summary>Aborts the connection without an answer (connection reset).</summary>
    ConnectionAbort,

    /// <summary>A 200 whose body is not valid JSON.</summary>
    MalformedJson,

    /// <summary>An SSE stream that sends <see cref="FaultInjector.ChunksBeforeBreak"/> content chunks, then aborts the connection.</summary>
    StreamBreak,

    /// <summary>An SSE stream that sends <see cref="FaultInjector.ChunksBeforeBreak"/> content chunks, then stalls until the client gives up.</summary>
    StreamStall,

    /// <summary>An SSE stream whose headers go out at once but whose first chunk waits <see cref="FaultInjector.Delay"/> (then the normal answer).</summary>
    SlowFirstChunk,

    /// <summary>The normal answer with finish reason <c>length</c>: cut off at the output-token limit.</summary>
    TruncatedAnswer,
}
