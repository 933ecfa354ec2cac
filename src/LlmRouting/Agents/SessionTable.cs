using System.Collections.Concurrent;

namespace LlmRouting.Agents;

/// <summary>The sessions this process remembers: bounded in time (each expires a time-to-live after its last use) and in number (the least recently used go first).</summary>
internal sealed class SessionTable
{
    private readonly ConcurrentDictionary<string, SessionState> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();
    private readonly TimeProvider _time;

    public SessionTable(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Gets the number of sessions remembered.</summary>
    public int Count => _sessions.Count;

    /// <summary>Gets the session <paramref name="key"/> (a new one when it is unknown or expired) and marks it used.</summary>
    public SessionState Touch(string key, TimeSpan timeToLive, int maxSessions)
    {
        long now = _time.GetUtcNow().UtcTicks;
        SessionState session = _sessions.GetOrAdd(key, static k => new SessionState(k));
        if (session.LastUsed != 0 && now - session.LastUsed > timeToLive.Ticks)
        {
            var fresh = new SessionState(key);
            session = _sessions.TryUpdate(key, fresh, session) ? fresh : _sessions.GetOrAdd(key, fresh);
        }

        session.LastUsed = now;
        if (_sessions.Count > maxSessions)
        {
            Trim(now, timeToLive, maxSessions);
        }

        return session;
    }

    /// <summary>Drops expired sessions, then the least recently used until a tenth of the room is free again.</summary>
    private void Trim(long now, TimeSpan timeToLive, int maxSessions)
    {
        if (!_trimming.TryEnter())
        {
            return; // another caller is trimming
        }

        try
        {
            foreach (KeyValuePair<string, SessionState> entry in _sessions)
            {
                if (now - entry.Value.LastUsed > timeToLive.Ticks)
                {
                    _sessions.TryRemove(entry);
                }
            }

            int target = maxSessions - Math.Max(1, maxSessions / 10);
            int excess = _sessions.Count - target;
            if (excess <= 0)
            {
                return;
            }

            foreach (KeyValuePair<string, SessionState> entry in _sessions.OrderBy(e => e.Value.LastUsed).Take(excess).ToList())
            {
                _sessions.TryRemove(entry);
            }
        }
        finally
        {
            _trimming.Exit();
        }
    }
}
