using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting;

/// <summary>Bounds an <see cref="IAsyncRouteObserver"/>: its queue, the time one call may take, and the drain at shutdown.</summary>
public sealed class AsyncRouteObserverOptions
{
    /// <summary>Gets or sets how many completed routes may wait for the observer; when the queue is full a route is dropped (counted and logged), the caller never waits.</summary>
    /// <value>The default is 1 024.</value>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Gets or sets how long one call to <see cref="IAsyncRouteObserver.OnRouteCompletedAsync"/> may take before its token is cancelled.</summary>
    /// <value>The default is 30 seconds.</value>
    [Positive]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long disposal waits for queued routes to be delivered before cancelling the rest.</summary>
    /// <value>The default is 5 seconds.</value>
    [NotNegative]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
