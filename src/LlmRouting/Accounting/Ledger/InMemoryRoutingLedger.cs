using System.Collections.Concurrent;

namespace LlmRouting.Accounting;

/// <summary>The default <see cref="IRoutingLedger"/>: running totals in process memory, one bucket per tenant, user, target and strategy.</summary>
/// <remarks>
/// Recording costs one dictionary lookup and a short lock on the bucket, and allocates nothing; a summary walks the buckets. Memory grows with
/// the number of distinct (tenant, user, target, strategy) combinations, not with the number of requests. Agent sessions
/// (<see cref="RouteInfo.Session"/>) are kept apart, at most <see cref="MaxSessions"/> of them (the least recently used go first). Thread-safe.
/// </remarks>
public sealed class InMemoryRoutingLedger : IRoutingLedger
{
    private readonly ConcurrentDictionary<BucketKey, Bucket> _buckets = new();
    private readonly ConcurrentDictionary<string, Bucket> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Target, string Task), AuditBucket> _audits = new();
    private readonly Lock _trimming = new();
    private long _clock;

    /// <summary>Gets or sets the most sessions whose totals are kept.</summary>
    /// <value>The default is 10 000.</value>
    public int MaxSessions { get; init; } = 10_000;

    /// <inheritdoc/>
    public void Record(RouteInfo route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var key = new BucketKey(route.Tenant ?? RoutingLedgerSummary.NoTenant, route.User ?? RoutingLedgerSummary.NoTenant, route.Target, route.Strategy);
        Bucket bucket = _buckets.GetOrAdd(key, static _ => new Bucket());
        lock (bucket)
        {
            bucket.Sums.Add(route);
        }

        if (route.Session is { } session)
        {
            RecordSession(session, route);
        }
    }

    /// <inheritdoc/>
    public void RecordAudit(RoutingAuditEntry audit)
    {
        ArgumentNullException.ThrowIfNull(audit.Target);
        AuditBucket bucket = _audits.GetOrAdd((audit.Tenant ?? RoutingLedgerSummary.NoTenant, audit.Target, audit.Task ?? "chat"), static _ => new AuditBucket());
        var delta = new RoutingAuditTotals(audit.Matched is null ? 0 : 1, audit.Matched == true ? 1 : 0, audit.Cost);
        lock (bucket)
        {
            bucket.Totals = bucket.Totals.Add(delta);
        }
    }

    /// <inheritdoc/>
    public RoutingLedgerTotals? GetSessionTotals(string session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!_sessions.TryGetValue(session, out Bucket? bucket))
        {
            return null;
        }

        lock (bucket)
        {
            return bucket.Sums.ToTotals();
        }
    }

    private void RecordSession(string session, RouteInfo route)
    {
        Bucket bucket = _sessions.GetOrAdd(session, static _ => new Bucket());
        lock (bucket)
        {
            bucket.Sums.Add(route);
            bucket.LastUsed = Interlocked.Increment(ref _clock);
        }

        if (_sessions.Count > MaxSessions && _trimming.TryEnter())
        {
            try
            {
                int excess = _sessions.Count - (MaxSessions - Math.Max(1, MaxSessions / 10));
                foreach (KeyValuePair<string, Bucket> oldest in _sessions.OrderBy(e => e.Value.LastUsed).Take(Math.Max(0, excess)).ToList())
                {
                    _sessions.TryRemove(oldest);
                }
            }
            finally
            {
                _trimming.Exit();
            }
        }
    }

    /// <inheritdoc/>
    public RoutingLedgerSummary GetSummary(string? tenant = null)
    {
        RoutingLedgerTotals totals = RoutingLedgerTotals.Empty;
        var byTarget = new Dictionary<string, RoutingLedgerTotals>(StringComparer.OrdinalIgnoreCase);
        var byStrategy = new Dictionary<string, RoutingLedgerTotals>(StringComparer.OrdinalIgnoreCase);
        var byUser = new Dictionary<string, RoutingLedgerTotals>(StringComparer.Ordinal);
        var byTenant = new Dictionary<string, RoutingLedgerTotals>(StringComparer.Ordinal);
        foreach (KeyValuePair<BucketKey, Bucket> entry in _buckets)
        {
            BucketKey key = entry.Key;
            if (tenant is not null && !string.Equals(key.Tenant, tenant, StringComparison.Ordinal))
            {
                continue;
            }

            RoutingLedgerTotals bucket;
            lock (entry.Value)
            {
                bucket = entry.Value.Sums.ToTotals();
            }

            totals = totals.Add(bucket);
            Accumulate(byTarget, key.Target, bucket);
            Accumulate(byStrategy, key.Strategy, bucket);
            Accumulate(byUser, key.User, bucket);
            Accumulate(byTenant, key.Tenant, bucket);
        }

        RoutingAuditTotals audits = RoutingAuditTotals.Empty;
        var auditsByTarget = new Dictionary<string, RoutingAuditTotals>(StringComparer.OrdinalIgnoreCase);
        var auditsByTask = new Dictionary<string, RoutingAuditTotals>(StringComparer.Ordinal);
        foreach (KeyValuePair<(string Tenant, string Target, string Task), AuditBucket> entry in _audits)
        {
            if (tenant is not null && !string.Equals(entry.Key.Tenant, tenant, StringComparison.Ordinal))
            {
                continue;
            }

            RoutingAuditTotals bucket;
            lock (entry.Value)
            {
                bucket = entry.Value.Totals;
            }

            audits = audits.Add(bucket);
            auditsByTarget[entry.Key.Target] = auditsByTarget.TryGetValue(entry.Key.Target, out RoutingAuditTotals? t) ? t.Add(bucket) : bucket;
            auditsByTask[entry.Key.Task] = auditsByTask.TryGetValue(entry.Key.Task, out RoutingAuditTotals? k) ? k.Add(bucket) : bucket;
        }

        return new RoutingLedgerSummary(totals, byTarget, byStrategy, byUser, byTenant) { Audits = audits, AuditsByTarget = auditsByTarget, AuditsByTask = auditsByTask };
    }

    private static void Accumulate(Dictionary<string, RoutingLedgerTotals> into, string key, RoutingLedgerTotals value) =>
        into[key] = into.TryGetValue(key, out RoutingLedgerTotals? existing) ? existing.Add(value) : value;

    private readonly record struct BucketKey(string Tenant, string User, string Target, string Strategy);

    private sealed class AuditBucket
    {
        public RoutingAuditTotals Totals { get; set; } = RoutingAuditTotals.Empty;
    }

    /// <summary>One bucket's running sums (changed under a lock on the bucket: recording allocates nothing).</summary>
    private sealed class Bucket
    {
        public LedgerSums Sums;

        public long LastUsed { get; set; }
    }
}
