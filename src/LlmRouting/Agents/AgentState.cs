namespace LlmRouting.Agents;

/// <summary>The counts of one turn; every access under its own lock.</summary>
internal sealed class TurnState
{
    private readonly Dictionary<ulong, (string Function, int Count)> _calls = [];
    private readonly List<string> _targets = [];
    private TurnTotals _totals = TurnTotals.Empty;

    /// <summary>Counts a new call of the turn and returns its 1-based index.</summary>
    public int BeginStep()
    {
        lock (_calls)
        {
            _totals = _totals with { Steps = _totals.Steps + 1 };
            return _totals.Steps;
        }
    }

    /// <summary>Takes back a call counted by <see cref="BeginStep"/> that was refused before any target was called.</summary>
    public void CancelStep()
    {
        lock (_calls)
        {
            _totals = _totals with { Steps = Math.Max(0, _totals.Steps - 1) };
        }
    }

    /// <summary>Gets the totals so far.</summary>
    public TurnTotals Totals
    {
        get
        {
            lock (_calls)
            {
                return _totals;
            }
        }
    }

    /// <summary>Gets the tool call the model asked for most often in this turn, and how often.</summary>
    public (string? Function, int Count) MostRepeatedCall()
    {
        lock (_calls)
        {
            (string? function, int count) = (null, 0);
            foreach ((string name, int n) in _calls.Values)
            {
                if (n > count)
                {
                    (function, count) = (name, n);
                }
            }

            return (function, count);
        }
    }

    /// <summary>Counts a tool call the model asked for (keyed by a hash of function and arguments; neither is kept).</summary>
    public void ToolCallRequested(string function, ulong key)
    {
        lock (_calls)
        {
            _calls[key] = (function, _calls.TryGetValue(key, out (string, int Count) seen) ? seen.Count + 1 : 1);
        }
    }

    /// <summary>Adds what a call used and returns the totals after it.</summary>
    public TurnTotals Add(RouteInfo route)
    {
        lock (_calls)
        {
            if (route.Attempts.Count > 0)
            {
                _targets.Add(route.Target);
            }

            _totals = _totals.Add(route, [.. _targets]);
            return _totals;
        }
    }
}

/// <summary>A turn's totals at one moment.</summary>
internal sealed record TurnTotals(int Steps, decimal? Cost, long InputTokens, long OutputTokens, long CachedInputTokens, IReadOnlyList<string> Targets)
{
    public static TurnTotals Empty { get; } = new(0, null, 0, 0, 0, []);

    public TurnTotals Add(RouteInfo route, IReadOnlyList<string> targets) => this with
    {
        Cost = route.Cost is { } cost ? (Cost ?? 0) + cost : Cost,
        InputTokens = InputTokens + (route.Usage?.InputTokenCount ?? 0),
        OutputTokens = OutputTokens + (route.Usage?.OutputTokenCount ?? 0),
        CachedInputTokens = CachedInputTokens + (route.Usage?.CachedInputTokenCount ?? 0),
        Targets = targets,
    };
}

/// <summary>A session's totals at one moment.</summary>
internal sealed record SessionTotals(string Key, int Turns, int Steps, decimal? Cost, int Switches);

/// <summary>What the router remembers of one session; every access under its own lock.</summary>
internal sealed class SessionState(string key)
{
    private readonly Lock _gate = new();
    private TurnState? _turn;

    public string Key { get; } = key;

    /// <summary>Gets or sets when the session was last used (<see cref="TimeProvider.GetTimestamp"/> ticks of UTC now).</summary>
    public long LastUsed { get; set; }

    public int Turns { get; private set; }

    public int Steps { get; private set; }

    public decimal? Cost { get; private set; }

    public int Switches { get; private set; }

    /// <summary>Gets the target the session is on (the one that served its last successful call).</summary>
    public string? Target { get; private set; }

    /// <summary>Gets the input tokens of the last call on <see cref="Target"/>: what its prompt cache holds.</summary>
    public long CachedPrefixTokens { get; private set; }

    /// <summary>Gets the steps other app instances recorded for the session (shared through the statistics store), as last read.</summary>
    public long SharedSteps { get; private set; }

    /// <summary>Gets the spend other app instances recorded for the session, as last read.</summary>
    public decimal SharedCost { get; private set; }

    /// <summary>Counts a call: a user turn starts a new turn; returns the turn, and what <see cref="CancelStep"/> needs to take it back.</summary>
    public (TurnState Turn, TurnState? Previous, bool Started) BeginStep(bool newTurn)
    {
        lock (_gate)
        {
            TurnState? previous = _turn;
            bool started = newTurn || _turn is null;
            if (started)
            {
                _turn = new TurnState();
                Turns++;
            }

            Steps++;
            return (_turn!, previous, started);
        }
    }

    /// <summary>Takes back a call counted by <see cref="BeginStep"/> that was refused before any target was called (a failed check is not a step).</summary>
    public void CancelStep(TurnState turn, TurnState? previous, bool started)
    {
        lock (_gate)
        {
            Steps = Math.Max(0, Steps - 1);
            if (started && ReferenceEquals(_turn, turn))
            {
                _turn = previous;
                Turns = Math.Max(0, Turns - 1);
            }
        }
    }

    /// <summary>Takes in what every app instance recorded for the session (the shared totals include this instance's own calls).</summary>
    public void Share(long steps, decimal cost)
    {
        lock (_gate)
        {
            SharedSteps = Math.Max(SharedSteps, steps);
            SharedCost = Math.Max(SharedCost, cost);
        }
    }

    /// <summary>Adds a finished call; returns the totals and whether it moved the session to another target.</summary>
    public (SessionTotals Totals, bool Switched) Complete(RouteInfo route)
    {
        lock (_gate)
        {
            if (route.Cost is { } cost)
            {
                Cost = (Cost ?? 0) + cost;
            }

            bool switched = false;
            if (route.Outcome == RouteOutcome.Succeeded && route.Attempts.Count > 0)
            {
                switched = Target is not null && !string.Equals(Target, route.Target, StringComparison.OrdinalIgnoreCase);
                Switches += switched ? 1 : 0;
                Target = route.Target;
                CachedPrefixTokens = route.Usage?.InputTokenCount ?? route.Request.EstimatedInputTokens;
            }

            return (Snapshot(), switched);
        }
    }

    /// <summary>Adopts the target another app instance recorded for the session (shared state).</summary>
    public void Adopt(string target)
    {
        lock (_gate)
        {
            if (!string.Equals(Target, target, StringComparison.OrdinalIgnoreCase))
            {
                Target = target;
                CachedPrefixTokens = 0;
            }
        }
    }

    public SessionTotals Snapshot()
    {
        lock (_gate)
        {
            return new SessionTotals(Key, Turns, Steps, Cost, Switches);
        }
    }

    /// <summary>Steps so far, this call included, across every app instance when shared (for the per-session limit).</summary>
    /// <remarks>The shared count holds completed calls of every instance, this one's included; the call being checked is one more.</remarks>
    public long StepsEverywhere()
    {
        lock (_gate)
        {
            return Math.Max(Steps, SharedSteps + 1);
        }
    }

    /// <summary>Spend so far, across every app instance when shared (for the per-session limit).</summary>
    public decimal Spent()
    {
        lock (_gate)
        {
            return Math.Max(Cost ?? 0, SharedCost);
        }
    }
}

/// <summary>The agent bookkeeping of one request: its session and turn, the target it is pinned to, and a loop trip.</summary>
internal sealed class AgentStep(SessionState? session, TurnState turn, int stepIndex)
{
    public SessionState? Session { get; } = session;

    public TurnState Turn { get; } = turn;

    public int StepIndex { get; } = stepIndex;

    /// <summary>Gets or sets the session's target when it can still serve this call (affinity keeps or prefers it).</summary>
    public RouteTarget? Pinned { get; set; }

    /// <summary>Gets or sets the prompt-cache prefix the pinned target holds (cost-aware decisions price it as cached input).</summary>
    public long CachedPrefixTokens { get; set; }

    /// <summary>Gets or sets what loop detection found, if it tripped.</summary>
    public AgentLoopEvidence? Trip { get; set; }

    /// <summary>Gets or sets the session's turn before this call, and whether this call started a new one (what taking the step back restores).</summary>
    public (TurnState? Previous, bool Started) TurnBefore { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the conversation keeps provider-side state on <see cref="Pinned"/> and may not
    /// move: no fallback, hedge or escalation may send this call to another target.
    /// </summary>
    public bool HoldsProviderState { get; set; }
}
