using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LlmRouting.Statistics;

namespace LlmRouting.Agents;

/// <summary>
/// Shares each session's target with other app instances through the statistics store: per (session, target) a key
/// whose running sum is the Unix time (seconds) the session was last on that target; the newest within the time-to-live wins.
/// </summary>
/// <remarks>Keys carry a SHA-256 digest of the session, never the session id itself.</remarks>
internal sealed class SharedPins(IRoutingStatisticsStore store, TimeProvider time)
{
    /// <summary>Reads the session's target: the one seen most recently within <paramref name="timeToLive"/>.</summary>
    public async ValueTask<string?> ReadAsync(string session, TargetRegistry registry, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        string prefix = Prefix(session);
        var keys = new List<string>(registry.Count);
        foreach (RouteTarget target in registry.Targets)
        {
            keys.Add(prefix + target.Name);
        }

        IReadOnlyDictionary<string, RoutingStatistic> stats = await store.GetAsync(keys, cancellationToken).ConfigureAwait(false);
        double now = time.GetUtcNow().ToUnixTimeSeconds();
        (string? best, double at) = (null, double.MinValue);
        foreach (RouteTarget target in registry.Targets)
        {
            if (stats.TryGetValue(prefix + target.Name, out RoutingStatistic stat) && stat.Count > 0 && stat.Sum > at)
            {
                (best, at) = (target.Name, stat.Sum);
            }
        }

        return best is not null && now - at <= timeToLive.TotalSeconds ? best : null;
    }

    /// <summary>Records that the session is on <paramref name="target"/> now; a refresh (the session stayed) is skipped when a recent record already says so.</summary>
    public async ValueTask WriteAsync(string session, string target, bool refresh, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        string key = Prefix(session) + target;
        IReadOnlyDictionary<string, RoutingStatistic> stats = await store.GetAsync([key], cancellationToken).ConfigureAwait(false);
        double previous = stats.TryGetValue(key, out RoutingStatistic stat) ? stat.Sum : 0;
        double now = time.GetUtcNow().ToUnixTimeSeconds();
        if (refresh && now - previous < timeToLive.TotalSeconds / 4)
        {
            return;
        }

        // The sum becomes 'now': the store only adds, so add the difference.
        await store.RecordAsync(key, now - previous, cancellationToken).ConfigureAwait(false);
    }

    private static string Prefix(string session)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(session), digest);
        return "affinity:" + Base64Url.EncodeToString(digest[..12]) + ":";
    }
}
