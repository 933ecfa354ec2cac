using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Diagnostics;
using LlmRouting.Telemetry;
using LlmRouting.Statistics;
using LlmRouting.Configuration;

namespace LlmRouting.Learning;

/// <summary>
/// Takes outcome feedback for recent routes — a user's thumbs, a judge's score, task success — and passes it, with the
/// features the decision was made on, to the learners (<see cref="IRouteOutcomeListener"/>).
/// </summary>
/// <remarks>
/// <para>
/// As an <see cref="IRouteObserver"/> it remembers every completed route (id, target, strategy, context, cost — no
/// content) in a bounded, time-limited map: at most <see cref="RouteFeedbackOptions.Capacity"/> routes, each for
/// <see cref="RouteFeedbackOptions.RetentionPeriod"/>. Read the id from the response: <c>response.GetRouteInfo().RouteId</c>.
/// </para>
/// <para>Resolve it from the container after <c>UseOutcomeFeedback()</c> or <c>UseBandit()</c>. Thread-safe.</para>
/// </remarks>
public sealed class RouteFeedback : IRouteObserver
{
    private readonly ConcurrentDictionary<string, Slot> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly IRouteContextSelector _contextSelector;
    private readonly IRouteOutcomeListener[] _listeners;
    private readonly RouteFeedbackOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private int _count;  // ConcurrentDictionary.Count takes every lock: too slow for each request

    /// <summary>Initializes a new instance of the <see cref="RouteFeedback"/> class.</summary>
    /// <param name="listeners">The learners told about each outcome.</param>
    /// <param name="contextSelector">Maps requests to contexts; <see cref="DefaultRouteContextSelector"/> when <see langword="null"/>.</param>
    /// <param name="options">Capacity and retention; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range (each failure names its field).</exception>
    public RouteFeedback(
        IEnumerable<IRouteOutcomeListener>? listeners = null,
        IRouteContextSelector? contextSelector = null,
        RouteFeedbackOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<RouteFeedback>? logger = null)
    {
        _options = options ?? new RouteFeedbackOptions();
        OptionsValidation.ThrowIfInvalid(_options, FeedbackLlmRouterBuilderExtensions.OptionsPath);
        _listeners = [.. listeners ?? []];
        _contextSelector = contextSelector ?? DefaultRouteContextSelector.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the number of routes currently remembered.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public void OnRouteCompleted(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var entry = new RouteFeedbackEntry(
            route.RouteId,
            route.Timestamp,
            route.Target,
            route.Strategy,
            _contextSelector.SelectContext(route.Request),
            route.Tenant,
            route.User,
            route.Outcome,
            route.Cost,
            route.Request.EstimatedInputTokens,
            route.Request.Tags);
        if (_routes.TryAdd(entry.RouteId, new Slot(entry)))
        {
            Interlocked.Increment(ref _count);
            _order.Enqueue(entry.RouteId);
            Trim();
        }
    }

    /// <summary>Gets what is remembered about a recent route.</summary>
    /// <param name="routeId">The route id.</param>
    /// <param name="route">The route's decision and features, when found and not expired.</param>
    /// <returns><see langword="true"/> when the route is known and not expired.</returns>
    public bool TryGetRoute(string routeId, out RouteFeedbackEntry? route)
    {
        ArgumentNullException.ThrowIfNull(routeId);
        if (_routes.TryGetValue(routeId, out Slot? slot) && !IsExpired(slot.Entry))
        {
            route = slot.Entry;
            return true;
        }

        route = null;
        return false;
    }

    /// <summary>Records the outcome of a recent route and passes it to the learners.</summary>
    /// <param name="routeId">The route id (<see cref="RouteInfo.RouteId"/>).</param>
    /// <param name="score">How good the answer was, from 0 (bad) to 1 (good): thumbs up = 1, down = 0, or a judge's score.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether the outcome was recorded, and if not, why.</returns>
    /// <exception cref="ArgumentException"><paramref name="routeId"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="score"/> is not a number from 0 to 1.</exception>
    public async ValueTask<RouteFeedbackResult> RecordOutcomeAsync(string routeId, double score, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(routeId);
        if (!(score is >= 0d and <= 1d))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "An outcome score must be a number from 0 (bad) to 1 (good).");
        }

        if (!_routes.TryGetValue(routeId, out Slot? slot))
        {
            Log.OutcomeForUnknownRoute(_logger, routeId);
            return RouteFeedbackResult.UnknownRoute;
        }

        if (IsExpired(slot.Entry))
        {
            Remove(routeId);
            Log.OutcomeForExpiredRoute(_logger, routeId);
            return RouteFeedbackResult.Expired;
        }

        if (!slot.TrySetScore(score))
        {
            return RouteFeedbackResult.AlreadyRecorded;
        }

        foreach (IRouteOutcomeListener listener in _listeners)
        {
            await listener.OnOutcomeAsync(slot.Entry, score, cancellationToken).ConfigureAwait(false);
        }

        Log.OutcomeRecorded(_logger, routeId, slot.Entry.Target, slot.Entry.Context, score);
        return RouteFeedbackResult.Recorded;
    }

    /// <summary>Gets the outcome score recorded for a recent route.</summary>
    /// <param name="routeId">The route id.</param>
    /// <returns>The score, or <see langword="null"/> when none was recorded or the route is unknown.</returns>
    public double? GetOutcome(string routeId)
    {
        ArgumentNullException.ThrowIfNull(routeId);
        return _routes.TryGetValue(routeId, out Slot? slot) ? slot.Score : null;
    }

    private bool IsExpired(RouteFeedbackEntry entry) => _timeProvider.GetUtcNow() - entry.Timestamp > _options.RetentionPeriod;

    private void Trim()
    {
        // Oldest first: drop what exceeds the capacity, then what has expired.
        while (Volatile.Read(ref _count) > _options.Capacity && _order.TryDequeue(out string? oldest))
        {
            Remove(oldest);
        }

        while (_order.TryPeek(out string? head))
        {
            if (_routes.TryGetValue(head, out Slot? slot) && !IsExpired(slot.Entry))
            {
                break;
            }

            if (_order.TryDequeue(out string? removed))
            {
                Remove(removed);
            }
        }
    }

    private void Remove(string routeId)
    {
        if (_routes.TryRemove(routeId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private sealed class Slot(RouteFeedbackEntry entry)
    {
        private readonly Lock _gate = new();

        public RouteFeedbackEntry Entry { get; } = entry;

        public double? Score { get; private set; }

        public bool TrySetScore(double score)
        {
            lock (_gate)
            {
                if (Score is not null)
                {
                    return false;
                }

                Score = score;
                return true;
            }
        }
    }
}
