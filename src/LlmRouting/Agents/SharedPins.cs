using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LlmRouting.Statistics;

namespace LlmRouting.Agents;

/// <summary>What other app instances recorded for a session: its target, and its steps and spend so far.</summary>
internal readonly record struct SharedSession(string? Target, long Steps, decimal Cost);

/// <summary>
/// Shares each session with other app instances through the statistics store: per (session, target) a key whose running
/// sum is the Unix time (seconds) the session was last on that target (the newest within the time-to-live wins), and per
/// session the count of its calls and the sum of their cost.
/// </summary>
/// <remarks>
/// Every key is written with the session's time-to-live (<see cref="IRoutingStatisticsStore.RecordAsync(string, double, TimeSpan, CancellationToken)"/>),
/// so a store that expires keys (Redis) forgets a session that time after its last call: the shared state is bounded by the
/// sessions active within one time-to-live. Keys carry a SHA-256 digest of the session, never the session id itself.
/// </remarks>
internal sealed class SharedPins(IRoutingStatisticsStore store, TimeProvider time)
{
    private const string Steps = "steps";
    private const string Spend = "spend";

    /// <summary>Reads the session's target (the one seen most recently within <paramref name="timeToLive"/>) and, when asked, its counters.</summary>
    public async ValueTask<SharedSession> ReadAsync(string session, TargetRegistry registry, bool counters, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        (string pins, string totals) = Prefixes(session);
        var keys = new List<string>(registry.Count + 2);
        foreach (RouteTarget target in registry.Targets)
        {
            keys.Add(pins + target.Name);
        }

        if (counters)
        {
            keys.Add(totals + Steps);
            keys.Add(totals + Spend);
        }

        IReadOnlyDictionary<string, RoutingStatistic> stats = await store.GetAsync(keys, cancellationToken).ConfigureAwait(false);
        double now = time.GetUtcNow().ToUnixTimeSeconds();
        (string? best, double at) = (null, double.MinValue);
        foreach (RouteTarget target in registry.Targets)
        {
            if (stats.TryGetValue(pins + target.Name, out RoutingStatistic stat) && stat.Count > 0 && stat.Sum > at)
            {
                (best, at) = (target.Name, stat.Sum);
            }
        }

        long steps = counters && stats.TryGetValue(totals + Steps, out RoutingStatistic s) ? s.Count : 0;
        decimal cost = counters && stats.TryGetValue(totals + Spend, out RoutingStatistic c) && double.IsFinite(c.Sum) && c.Sum > 0 ? (decimal)c.Sum : 0;
        return new SharedSession(best is not null && now - at <= timeToLive.TotalSeconds ? best : null, steps, cost);
    }

    /// <summary>Records that the session is on <paramref name="target"/> now; a refresh (the session stayed) is skipped when a recent record already says so.</summary>
    public async ValueTask WriteAsync(string session, string target, bool refresh, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        string key = Prefixes(session).Pins + target;
        IReadOnlyDictionary<string, RoutingStatistic> stats = await store.GetAsync([key], cancellationToken).ConfigureAwait(false);
        double previous = stats.TryGetValue(key, out RoutingStatistic stat) ? stat.Sum : 0;
        double now = time.GetUtcNow().ToUnixTimeSeconds();
        if (refresh && now - previous < timeToLive.TotalSeconds / 4)
        {
            return;
        }

        // The sum becomes 'now': the store only adds, so add the difference.
        await store.RecordAsync(key, now - previous, timeToLive, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts one call of the session and what it cost.</summary>
    public async ValueTask CountAsync(string session, decimal cost, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        string totals = Prefixes(session).Totals;
        await store.RecordAsync(totals + Steps, 1, timeToLive, cancellationToken).ConfigureAwait(false);
        if (cost > 0)
        {
            await store.RecordAsync(totals + Spend, (double)cost, timeToLive, cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string Pins, string Totals) Prefixes(string session)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(session), digest);
        string id = Base64Url.EncodeToString(digest[..12]);
        return ("affinity:" + id + ":", "session:" + id + ":");
    }
}
