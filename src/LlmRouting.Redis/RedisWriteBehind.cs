using System.Collections.Concurrent;

namespace LlmRouting;

/// <summary>
/// The write-behind both Redis stores share: updates that could not reach Redis are kept per key (merged) and replayed,
/// one replay at a time, before the next operation; a replay that meets the outage again keeps the rest for later.
/// </summary>
/// <typeparam name="T">The pending update per key (spend, observations).</typeparam>
internal sealed class RedisWriteBehind<T> : IDisposable
{
    private readonly ConcurrentDictionary<string, T> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<T, T, T> _merge;
    private readonly RedisOutageTracker _outage;

    /// <param name="merge">Combines two pending updates of one key.</param>
    /// <param name="outage">Told about failures and replays.</param>
    public RedisWriteBehind(Func<T, T, T> merge, RedisOutageTracker outage)
    {
        _merge = merge;
        _outage = outage;
    }

    /// <summary>Gets the number of keys with pending updates.</summary>
    public int Count => _pending.Count;

    /// <summary>Keeps <paramref name="update"/> for <paramref name="key"/>, merged with what is pending.</summary>
    public void Keep(string key, T update) =>
        _pending.AddOrUpdate(key, static (_, a) => a.Update, static (_, old, a) => a.Merge(old, a.Update), (Update: update, Merge: _merge));

    /// <summary>Gets the pending update of <paramref name="key"/>, if any.</summary>
    public bool TryGet(string key, out T? update) => _pending.TryGetValue(key, out update);

    /// <summary>Writes every pending update with <paramref name="write"/>; returns the number of keys written.</summary>
    /// <param name="write">Writes one key's update to Redis.</param>
    /// <param name="isObsolete">Whether an update no longer needs writing (it is dropped).</param>
    public async ValueTask<int> ReplayAsync(Func<string, T, Task> write, Func<T, bool>? isObsolete = null)
    {
        if (_pending.IsEmpty || !await _gate.WaitAsync(0).ConfigureAwait(false))
        {
            return 0;
        }

        int replayed = 0;
        try
        {
            foreach (string key in _pending.Keys)
            {
                if (!_pending.TryRemove(key, out T? update) || isObsolete?.Invoke(update) == true)
                {
                    continue;
                }

                try
                {
                    await write(key, update).ConfigureAwait(false);
                    replayed++;
                }
                catch (Exception ex) when (RedisFailures.IsOutage(ex, CancellationToken.None))
                {
                    Keep(key, update);
                    _outage.Failed(ex);
                    break;
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        _outage.Replayed(replayed);
        return replayed;
    }

    public void Dispose() => _gate.Dispose();
}
