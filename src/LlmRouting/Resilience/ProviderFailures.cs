using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LlmRouting.Resilience;

/// <summary>Classifies provider failures: which are transient (retry, fail over) and which are the request's fault.</summary>
/// <remarks>
/// Understands the exceptions of the official OpenAI/Azure .NET clients (<see cref="ClientResultException"/>),
/// of <see cref="HttpClient"/> (<see cref="HttpRequestException"/>), socket and I/O errors, and Polly's own
/// timeout and open-circuit rejections.
/// </remarks>
public static class ProviderFailures
{
    /// <summary>Gets the HTTP status a provider failure carries, if any.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>The status code, or <see langword="null"/> when there was no HTTP response (e.g. a connection error).</returns>
    public static int? GetStatusCode(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            ClientResultException { Status: > 0 } client => client.Status,
            HttpRequestException { StatusCode: { } status } => (int)status,
            _ => exception.InnerException is { } inner ? GetStatusCode(inner) : null,
        };
    }

    /// <summary>Decides whether a failure is transient: worth a retry or a fallback to another target.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>
    /// <see langword="true"/> for timeouts, an open circuit, connection errors, malformed (non-JSON) answers and HTTP 408, 429 and 5xx;
    /// <see langword="false"/> for other statuses (400, 401, 403, content-policy refusals …), cancellation, request-side
    /// errors the client throws before anything is sent (a request it cannot serialize — a <see cref="JsonException"/>
    /// without a position in a body read, <see cref="ArgumentException"/>, <see cref="NotSupportedException"/>) and
    /// anything else (a bug is not cured by asking another model, or the same one again).
    /// </returns>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (GetStatusCode(exception) is { } status)
        {
            return status is 408 or 429 or >= 500;
        }

        return exception switch
        {
            TimeoutRejectedException or TimeoutException or FallbackTimeoutException or BrokenCircuitException => true,
            OperationCanceledException => false,
            HttpRequestException or IOException or SocketException => true,
            JsonException json => IsMalformedBody(json),
            ArgumentException or NotSupportedException => false, // the request's own fault: every target would refuse it the same way
            ClientResultException => true, // no status: the request never got an HTTP answer
            _ => exception.InnerException is { } inner && IsTransient(inner),
        };
    }

    /// <summary>
    /// Whether a <see cref="JsonException"/> comes from reading an answer (a 200 whose body is not valid JSON: the provider's
    /// fault) rather than from writing the request (a cycle, a depth over the serializer's limit, an unsupported type).
    /// </summary>
    /// <remarks>
    /// The reader reports where in the body it failed (<see cref="JsonException.LineNumber"/> and
    /// <see cref="JsonException.BytePositionInLine"/>); the serializer writing a request has no position to report.
    /// </remarks>
    private static bool IsMalformedBody(JsonException exception) =>
        exception.LineNumber is not null || exception.BytePositionInLine is not null ||
        (exception.InnerException is { } inner && IsTransient(inner));

    /// <summary>Reads the delay a provider asked for in a <c>Retry-After</c> (or <c>retry-after-ms</c>) header.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="now">The current time, for HTTP-date values.</param>
    /// <returns>The requested delay, or <see langword="null"/>.</returns>
    public static TimeSpan? GetRetryAfter(Exception exception, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is ClientResultException client && client.GetRawResponse() is { } response)
        {
            if (response.Headers.TryGetValue("retry-after-ms", out string? ms) &&
                double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double millis) && millis >= 0)
            {
                return TimeSpan.FromMilliseconds(millis);
            }

            if (response.Headers.TryGetValue("Retry-After", out string? value))
            {
                return ParseRetryAfter(value, now);
            }
        }

        return exception.InnerException is { } inner ? GetRetryAfter(inner, now) : null;
    }

    /// <summary>Parses a <c>Retry-After</c> value: delta-seconds or an HTTP date.</summary>
    /// <param name="value">The header value.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The delay, or <see langword="null"/> if the value is not understood.</returns>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
            ? (at > now ? at - now : TimeSpan.Zero)
            : null;
    }
}
