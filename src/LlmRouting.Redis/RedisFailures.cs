using System.Net.Sockets;
using StackExchange.Redis;

namespace LlmRouting;

/// <summary>Decides which exceptions from a StackExchange.Redis call mean "Redis is unavailable" (and get the configured outage behaviour).</summary>
internal static class RedisFailures
{
    /// <summary>
    /// Gets a value indicating whether <paramref name="exception"/>, thrown by a StackExchange.Redis call, is an outage:
    /// <see cref="RedisException"/> (connection, timeout, server errors such as <c>LOADING</c> after a restart),
    /// <see cref="TimeoutException"/>, <see cref="InvalidOperationException"/> and <see cref="ObjectDisposedException"/>
    /// (a multiplexer that is closing or has no usable connection), socket and I/O errors, and a
    /// <see cref="OperationCanceledException"/> (including <see cref="TaskCanceledException"/>) that the caller did not ask for.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <param name="callerToken">The caller's token: a cancellation it requested is the caller's, not an outage.</param>
    /// <returns><see langword="true"/> for an outage.</returns>
    public static bool IsOutage(Exception exception, CancellationToken callerToken) => exception switch
    {
        OperationCanceledException => !callerToken.IsCancellationRequested,
        RedisException or TimeoutException or InvalidOperationException or ObjectDisposedException or SocketException or IOException => true,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.All(e => IsOutage(e, callerToken)),
        _ => false,
    };
}
