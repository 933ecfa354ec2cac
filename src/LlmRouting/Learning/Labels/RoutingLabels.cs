using LlmRouting.Statistics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Diagnostics;

namespace LlmRouting.Learning;

/// <summary>
/// Turns every outcome into a label: outcome scores (<see cref="RouteFeedback.RecordOutcomeAsync"/>), escalations (a
/// rejected answer below the top tier is "premium needed") and quality audits; stores it in the
/// <see cref="IRoutingLabelStore"/> and tells the <see cref="IRoutingLabelListener"/>s.
/// </summary>
/// <remarks>
/// <para>
/// As an <see cref="IRouteObserver"/> it keeps the features of the most recent completed routes
/// (<see cref="RoutingLabelOptions.PendingRoutes"/>) so that a later outcome score can be labelled with them; an
/// escalated route is labelled at once, off the caller's path. A label holds features and a fingerprint, never text
/// unless <see cref="RoutingLabelOptions.IncludeText"/> is on.
/// </para>
/// <para>Thread-safe. Resolve it after <c>UseRoutingLabels()</c> (quality audits and adaptive learning turn it on).</para>
/// </remarks>
public sealed class RoutingLabels : IRouteObserver, IRouteOutcomeListener
{
    private readonly IRoutingLabelStore _store;
    private readonly IRoutingLabelListener[] _listeners;
    private readonly RoutingLabelOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Dictionary<string, RoutingLabel> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();
    private long _recorded;
    private long _failed;

    /// <summary>Initializes a new instance of the <see cref="RoutingLabels"/> class.</summary>
    /// <param name="store">Where labels go; an <see cref="InMemoryRoutingLabelStore"/> when <see langword="null"/>.</param>
    /// <param name="listeners">The learners told about each label.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public RoutingLabels(
        IRoutingLabelStore? store = null,
        IEnumerable<IRoutingLabelListener>? listeners = null,
        RoutingLabelOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<RoutingLabels>? logger = null)
    {
        _options = options ?? new RoutingLabelOptions();
        Configuration.OptionsValidation.ThrowIfInvalid(_options, "LlmRouting:Labels");
        _store = store ?? new InMemoryRoutingLabelStore(_options.Capacity);
        _listeners = [.. listeners ?? []];
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the store labels go to.</summary>
    public IRoutingLabelStore Store => _store;

    /// <summary>Gets the number of labels recorded by this instance.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Gets the number of labels that could not be stored (the store failed; logged).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <inheritdoc/>
    public void OnRouteCompleted(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Outcome != RouteOutcome.Succeeded || route.IsCacheHit)
        {
            return;
        }

        if (route.IsEscalated && Rejected(route) is { } rejected && rejected.Profile.Tier < TopTier(route))
        {
            // The economy answer was judged unusable: "premium needed" for the target that gave it.
            RoutingLabel label = Create(route, RoutingLabelSource.Escalation, premiumNeed: 1, score: 0) with { Target = rejected.Name, Tier = rejected.Profile.Tier };
            _ = RecordInBackgroundAsync(label);
            return;
        }

        if (_options.PendingRoutes == 0)
        {
            return;
        }

        RoutingLabel seed = Create(route, RoutingLabelSource.Outcome, premiumNeed: null, score: null);
        lock (_gate)
        {
            if (_pending.TryAdd(route.RouteId, seed))
            {
                _order.Enqueue(route.RouteId);
                while (_order.Count > _options.PendingRoutes && _order.TryDequeue(out string? oldest))
                {
                    _pending.Remove(oldest);
                }
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask OnOutcomeAsync(RouteFeedbackEntry route, double score, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        RoutingLabel? seed;
        lock (_gate)
        {
            if (_pending.Remove(route.RouteId, out seed) is false)
            {
                return default;
            }
        }

        // Below the top tier a bad score means a stronger target was needed; at the top tier it says nothing about that.
        double? premiumNeed = seed.Tier < seed.TopTier ? 1 - score : null;
        return RecordAsync(seed with { Timestamp = _timeProvider.GetUtcNow(), PremiumNeed = premiumNeed, Score = score }, cancellationToken);
    }

    /// <summary>Stores a label and tells the listeners.</summary>
    /// <param name="label">The label.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the label is stored and the listeners have taken it in.</returns>
    public async ValueTask RecordAsync(RoutingLabel label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.PremiumNeed is { } need && !(need is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(label), need, "A label's PremiumNeed must be in [0, 1].");
        }

        await _store.AddAsync(label, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _recorded);
        foreach (IRoutingLabelListener listener in _listeners)
        {
            await listener.OnLabelAsync(label, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Makes a label for a completed route from its features (no text unless enabled).</summary>
    internal RoutingLabel Create(RouteInfo route, RoutingLabelSource source, double? premiumNeed, double? score)
    {
        string text = route.Request.LastUserText;
        return new RoutingLabel(
            route.RouteId,
            _timeProvider.GetUtcNow(),
            source,
            route.Target,
            route.Tier,
            DefaultRouteContextSelector.TaskOf(route.Request),
            route.Analysis.PremiumNeed,
            premiumNeed,
            score,
            RoutingLabelFeatures.FromText(text, _options.Dimensions),
            Fingerprint(text))
        {
            ModelVersion = route.Decision.ModelVersion,
            Text = _options.IncludeText ? text : null,
            TopTier = TopTier(route),
        };
    }

    /// <summary>Returns the SHA-256 prefix (16 bytes, hex) of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The fingerprint.</returns>
    public static string Fingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    internal static QualityTier TopTier(RouteInfo route)
    {
        QualityTier top = route.Tier;
        foreach (RouteTarget target in route.CandidateSet.Targets)
        {
            top = target.Profile.Tier > top ? target.Profile.Tier : top;
        }

        return top;
    }

    private static RouteTarget? Rejected(RouteInfo route)
    {
        foreach (RouteAttempt attempt in route.Attempts)
        {
            if (attempt.Outcome == RouteAttemptOutcome.Rejected)
            {
                return route.CandidateSet.Find(attempt.Target);
            }
        }

        return null;
    }

    private async Task RecordInBackgroundAsync(RoutingLabel label)
    {
        try
        {
            await Task.Yield();
            await RecordAsync(label).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A label store's failure must never surface on the caller's path; it is counted and logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
            Log.LabelFailed(_logger, ex, label.Source);
        }
    }
}
