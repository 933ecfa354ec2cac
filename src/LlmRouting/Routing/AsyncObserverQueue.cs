using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LlmRouting;

/// <summary>
/// Runs one <see cref="IAsyncRouteObserver"/> off the caller's path: a synchronous observer that only enqueues (never
/// blocks, drops when full), and one background loop that delivers each route with a timeout and logs failures by type.
/// </summary>
internal sealed partial class AsyncObserverQueue : IRouteObserver, IAsyncDisposable, IDisposable
{
    private readonly IAsyncRouteObserver _observer;
    private readonly AsyncRouteObserverOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<RouteInfo> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private long _dropped;
    private int _disposed;

    public AsyncObserverQueue(IAsyncRouteObserver observer, AsyncRouteObserverOptions options, ILogger logger)
    {
        _observer = observer;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<RouteInfo>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // with Wait, TryWrite fails on a full queue: the route is counted as dropped
        });
        _worker = Task.Run(DeliverAsync);
    }

    /// <summary>Gets the observer this queue delivers to.</summary>
    public IAsyncRouteObserver Observer => _observer;

    /// <summary>Gets how many routes were dropped because the queue was full (or the queue had been closed).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc/>
    public void OnRouteCompleted(RouteInfo route)
    {
        if (_queue.Writer.TryWrite(route))
        {
            return;
        }

        long dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            LogDropped(_logger, _observer.GetType().Name, dropped, _options.QueueCapacity);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(_options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _worker.ConfigureAwait(false); // the loop ends once the cancelled call returns; it never throws
        }

        _stopping.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (!_worker.Wait(_options.DrainTimeout))
        {
            _stopping.Cancel();
            _worker.Wait();
        }

        _stopping.Dispose();
    }

    private async Task DeliverAsync()
    {
        ChannelReader<RouteInfo> reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out RouteInfo? route))
            {
                if (_stopping.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                using var call = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                call.CancelAfter(_options.Timeout);
                try
                {
                    await _observer.OnRouteCompletedAsync(route, call.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (call.IsCancellationRequested)
                {
                    LogTimedOut(_logger, _observer.GetType().Name, route.RouteId, _stopping.IsCancellationRequested ? _options.DrainTimeout : _options.Timeout);
                }
#pragma warning disable CA1031 // An observer's failure is logged (by type, never its message) and the next route follows.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogFailed(_logger, _observer.GetType().Name, route.RouteId, ex.GetType().Name);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "Async route observer {Observer}'s queue is full ({Capacity}); {Dropped} route(s) dropped so far. The requests are unaffected.")]
    private static partial void LogDropped(ILogger logger, string observer, long dropped, int capacity);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Async route observer {Observer} ran past {Limit} on route {RouteId} and was cancelled.")]
    private static partial void LogTimedOut(ILogger logger, string observer, string routeId, TimeSpan limit);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Error, Message = "Async route observer {Observer} threw {ExceptionType} on route {RouteId}; the request is unaffected and the next route follows.")]
    private static partial void LogFailed(ILogger logger, string observer, string routeId, string exceptionType);
}
