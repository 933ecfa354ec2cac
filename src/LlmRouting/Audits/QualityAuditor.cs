using LlmRouting.Costs;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Accounting;
using LlmRouting.Diagnostics;
using LlmRouting.Filtering;
using LlmRouting.Learning;

namespace LlmRouting.Audits;

/// <summary>
/// Quality audits: samples requests served below the top tier, re-asks a reference target off the caller's path,
/// compares the two answers (<see cref="IAnswerComparer"/>) and records the verdict as a label (<see cref="RoutingLabels"/>).
/// </summary>
/// <remarks>
/// <para>
/// Never on the caller's path: an audit is queued when the route ends (a bounded <see cref="Channel{T}"/> of
/// <see cref="QualityAuditOptions.QueueCapacity"/>; when full the audit is dropped and counted, never awaited) and run by
/// at most <see cref="QualityAuditOptions.MaxConcurrency"/> workers. Disposing the auditor (the container or the router
/// that owns it) cancels running audits and discards queued ones, counted as cancelled.
/// </para>
/// <para>
/// The reference is <see cref="QualityAuditOptions.ReferenceTarget"/> or the highest-tier candidate of the request; a
/// sensitive request (<see cref="SensitivityPolicy"/>) is audited only against a target the policy allows, and judged
/// only by one. Audit cost is accounted on its own: in <see cref="GetSummary"/>, the ledger's
/// <see cref="RoutingLedgerSummary.Audits"/>, the <c>llmrouting.audit.cost</c> metric, and a budget only when
/// <see cref="QualityAuditOptions.BudgetKey"/> is set. Audits stop for the UTC day once
/// <see cref="QualityAuditOptions.DailySpendCap"/> is spent (checked before an audit is queued).
/// </para>
/// <para>Thread-safe. Answers are held in memory only between the response and the audit; nothing is logged but ids, names and verdicts.</para>
/// </remarks>
public sealed partial class QualityAuditor : IRouteObserver, IDisposable, IAsyncDisposable
{
    private static readonly AsyncLocal<bool> Auditing = new();

    private readonly QualityAuditOptions _options;
    private readonly RoutingLabels _labels;
    private readonly IAnswerComparer? _comparer;
    private readonly SensitivityPolicy _policy;
    private readonly IRoutingLedger? _ledger;
    private readonly IBudgetStore? _budgets;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly AuditMetrics _metrics;
    private readonly InMemoryRoutingLedger _totals = new();
    private readonly ConditionalWeakTable<ChatMessage, string> _answers = [];
    private readonly Channel<AuditJob> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private readonly Lock _spendGate = new();
    private DateOnly _spendDay;
    private decimal _spentToday;
    private long _sampled, _enqueued, _dropped, _capped, _skipped, _completed, _failed, _cancelled;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="QualityAuditor"/> class and starts its workers.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="labels">Where verdicts go as labels.</param>
    /// <param name="comparer">Compares answers; <see langword="null"/> asks the judge target (<see cref="QualityAuditOptions.JudgeTarget"/>, else the reference) with <see cref="JudgeAnswerComparer"/>.</param>
    /// <param name="policy">Which requests are sensitive and which targets may receive them; <see cref="SensitivityPolicy.Default"/> when <see langword="null"/>.</param>
    /// <param name="ledger">A ledger told about each audit, if any.</param>
    /// <param name="budgets">The budget store charged when <see cref="QualityAuditOptions.BudgetKey"/> is set.</param>
    /// <param name="timeProvider">The clock (the spend cap's day).</param>
    /// <param name="meterFactory">Creates the <c>LlmRouting</c> meter.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public QualityAuditor(
        QualityAuditOptions options,
        RoutingLabels labels,
        IAnswerComparer? comparer = null,
        SensitivityPolicy? policy = null,
        IRoutingLedger? ledger = null,
        IBudgetStore? budgets = null,
        TimeProvider? timeProvider = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null,
        ILogger<QualityAuditor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(labels);
        Configuration.OptionsValidation.ThrowIfInvalid(options, QualityAuditOptions.SectionName);
        _options = options;
        _labels = labels;
        _comparer = comparer;
        _policy = policy ?? SensitivityPolicy.Default;
        _ledger = ledger;
        _budgets = budgets;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = new AuditMetrics(meterFactory);
        _queue = Channel.CreateBounded<AuditJob>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the audit is dropped, the caller never waits
            SingleWriter = false,
            SingleReader = options.MaxConcurrency == 1,
        });
        _workers = [.. Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(WorkAsync))];
    }

    /// <summary>Raised after each audit ends (with a verdict, failed or cancelled); for tests and diagnostics. Handlers run on the audit worker.</summary>
    public event EventHandler<QualityAuditEventArgs>? AuditEnded;

    /// <summary>Gets the counters, verdicts and audit cost so far.</summary>
    /// <returns>A snapshot.</returns>
    public QualityAuditSummary GetSummary()
    {
        RoutingLedgerSummary totals = _totals.GetSummary();
        return new QualityAuditSummary
        {
            Sampled = Interlocked.Read(ref _sampled),
            Enqueued = Interlocked.Read(ref _enqueued),
            Dropped = Interlocked.Read(ref _dropped),
            Capped = Interlocked.Read(ref _capped),
            Skipped = Interlocked.Read(ref _skipped),
            Completed = Interlocked.Read(ref _completed),
            Failed = Interlocked.Read(ref _failed),
            Cancelled = Interlocked.Read(ref _cancelled),
            Totals = totals.Audits,
            ByTarget = totals.AuditsByTarget,
            ByTask = totals.AuditsByTask,
        };
    }

    /// <inheritdoc/>
    public void OnRouteCompleted(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        IReadOnlyList<ChatMessage> messages = route.Request.Messages;
        if (messages.Count == 0 || !_answers.TryGetValue(messages[^1], out string? answer))
        {
            return;
        }

        _answers.Remove(messages[^1]);
        if (route.Outcome != RouteOutcome.Succeeded || route.IsEscalated || route.IsSpliced || route.IsCacheHit || route.Tier >= RoutingLabels.TopTier(route))
        {
            return; // an escalation is a label already; a top-tier answer has nothing to be compared with
        }

        Interlocked.Increment(ref _sampled);
        RouteTarget? reference = Reference(route);
        RouteTarget? judge = reference is null ? null : Judge(route, reference);
        if (reference is null || (_comparer is null && judge is null))
        {
            Count(ref _skipped, "skipped");
            return;
        }

        if (SpentToday() >= _options.DailySpendCap)
        {
            Count(ref _capped, "capped");
            return;
        }

        if (Volatile.Read(ref _disposed) != 0 || !_queue.Writer.TryWrite(new AuditJob(route, answer, reference, judge)))
        {
            Count(ref _dropped, "dropped");
            Log.AuditDropped(_logger, route.RouteId);
            return;
        }

        Count(ref _enqueued, "enqueued");
    }

    /// <summary>Gets a value indicating whether the answer of the call starting now should be kept for an audit (sampled, and not an audit's own call).</summary>
    internal bool ShouldCapture() => !Auditing.Value && Volatile.Read(ref _disposed) == 0 && _options.SampleRate > 0 && Sample();

    /// <summary>Keeps a sampled answer until its route ends.</summary>
    internal void Capture(IEnumerable<ChatMessage> messages, string answer)
    {
        ChatMessage? last = messages is IReadOnlyList<ChatMessage> list ? (list.Count > 0 ? list[^1] : null) : messages.LastOrDefault();
        if (last is not null)
        {
            _answers.AddOrUpdate(last, answer);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Stop())
        {
            // Workers end promptly once cancelled; a synchronous disposal does not wait for providers that ignore cancellation.
            Task.WaitAll(_workers, TimeSpan.FromSeconds(1));
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Stop())
        {
            await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private bool Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        _queue.Writer.TryComplete();
        _stopping.Cancel();
        while (_queue.Reader.TryRead(out AuditJob? job))
        {
            Ended(job, null, ref _cancelled, "cancelled");
        }

        _metrics.Dispose();
        return true;
    }

    private bool Sample()
    {
        Random random = _options.Random;
        lock (random)
        {
            return random.NextDouble() < _options.SampleRate;
        }
    }

    private RouteTarget? Reference(RouteInfo route)
    {
        bool sensitive = _policy.IsSensitive(route.Request);
        if (_options.ReferenceTarget is { } name)
        {
            RouteTarget? named = route.CandidateSet.Find(name);
            return named is not null && named.Profile.Tier > route.Tier && (!sensitive || _policy.IsAllowed(named)) ? named : null;
        }

        RouteTarget? best = null;
        foreach (RouteTarget target in route.CandidateSet.Targets)
        {
            if (target.Profile.Tier > route.Tier && (best is null || target.Profile.Tier > best.Profile.Tier) && (!sensitive || _policy.IsAllowed(target)))
            {
                best = target;
            }
        }

        return best;
    }

    private RouteTarget? Judge(RouteInfo route, RouteTarget reference)
    {
        if (_comparer is not null)
        {
            return null;
        }

        RouteTarget? judge = _options.JudgeTarget is { } name ? route.CandidateSet.Find(name) : reference;
        return judge is not null && (ReferenceEquals(judge, reference) || !_policy.IsSensitive(route.Request) || _policy.IsAllowed(judge)) ? judge : null;
    }

    private decimal SpentToday()
    {
        lock (_spendGate)
        {
            return _spendDay == DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime) ? _spentToday : 0m;
        }
    }

    private void Count(ref long counter, string result)
    {
        Interlocked.Increment(ref counter);
        _metrics.Count(result);
    }

    private sealed record AuditJob(RouteInfo Route, string Answer, RouteTarget Reference, RouteTarget? Judge);
}
