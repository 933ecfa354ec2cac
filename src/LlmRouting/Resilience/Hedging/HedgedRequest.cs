using System.Diagnostics;
using Microsoft.Extensions.AI;
using Polly;

namespace LlmRouting;

/// <summary>One hedged request: the targets it may use and what each started attempt did.</summary>
internal sealed class HedgedRequest
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly RouteInfo _route;
    private readonly IEnumerable<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly LatencyWindow _latencies;

    public HedgedRequest(RouteInfo route, RouteTarget[] targets, IEnumerable<ChatMessage> messages, ChatOptions? options, TimeSpan delay, LatencyWindow latencies)
    {
        _route = route;
        Targets = targets;
        _messages = messages;
        _options = options;
        Delay = delay;
        _latencies = latencies;
    }

    public IReadOnlyList<RouteTarget> Targets { get; }

    public TimeSpan Delay { get; }

    /// <summary>Gets how many targets were started.</summary>
    public int Started
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public async ValueTask<Outcome<ChatResponse>> CallAsync(RouteTarget target, CancellationToken cancellationToken)
    {
        var entry = new Entry(target, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            _entries.Add(entry);
        }

        try
        {
            ChatResponse response = await target.Client.GetResponseAsync(_messages, _options, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                entry.Complete(response, null);
            }

            _latencies.Record(target.Name, entry.Duration);
            return Outcome.FromResult(response);
        }
#pragma warning disable CA1031 // The failure is returned to Polly as an outcome, which decides what to do with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                entry.Complete(null, ex);
            }

            return Outcome.FromException<ChatResponse>(ex);
        }
    }

    /// <summary>
    /// Records the started attempts in the route — losers (with their cost, or an input-token estimate when cancelled)
    /// and failures — and adds the winner's usage; the caller records the winner's attempt.
    /// </summary>
    /// <returns>The winner's cost.</returns>
    public decimal? Record(ChatResponse? winner, CancellationToken callerToken)
    {
        decimal? winnerCost = null;

        // Snapshot under the lock: an attempt completing later is recorded as superseded with the estimate.
        (RouteTarget Target, ChatResponse? Response, Exception? Error, TimeSpan Duration)[] entries;
        lock (_gate)
        {
            entries = [.. _entries.Select(e => (e.Target, e.Response, e.Error, e.Response is null && e.Error is null ? Stopwatch.GetElapsedTime(e.Start) : e.Duration))];
        }

        foreach ((RouteTarget target, ChatResponse? completed, Exception? failure, TimeSpan duration) in entries)
        {
            if (completed is { } response)
            {
                decimal? cost = _route.AddUsage(response.Usage, target);
                if (ReferenceEquals(response, winner))
                {
                    _route.ServedBy = target;
                    winnerCost = cost;
                }
                else
                {
                    _route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Superseded, duration, Cost: cost));
                }
            }
            else if (failure is { } error && error is not OperationCanceledException)
            {
                _route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Failed, duration, Error: error.GetType().Name));
            }
            else if (callerToken.IsCancellationRequested)
            {
                _route.AddAttempt(new RouteAttempt(target.Name, RouteAttemptOutcome.Canceled, duration));
            }
            else
            {
                // Cancelled (or still running) because another attempt won — or, with no winner, because the time budget
                // ran out. The provider has read the prompt either way, so the input tokens are charged as an estimate.
                var estimate = new UsageDetails { InputTokenCount = _route.Request.EstimatedInputTokens };
                decimal? cost = _route.AddUsage(estimate, target);
                _route.AddAttempt(winner is null
                    ? new RouteAttempt(target.Name, RouteAttemptOutcome.Failed, duration, Error: nameof(TimeoutException), Cost: cost)
                    : new RouteAttempt(target.Name, RouteAttemptOutcome.Superseded, duration, Cost: cost));
            }
        }

        return winnerCost;
    }

    private sealed class Entry(RouteTarget target, long start)
    {
        public RouteTarget Target { get; } = target;

        public long Start { get; } = start;

        public ChatResponse? Response { get; private set; }

        public Exception? Error { get; private set; }

        public TimeSpan Duration { get; private set; }

        public void Complete(ChatResponse? response, Exception? error)
        {
            Duration = Stopwatch.GetElapsedTime(Start);
            Response = response;
            Error = error;
        }
    }
}
