using System.Collections.Concurrent;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Tracks, per target name, calls in flight, smoothed latency and failures; fed by a decorator on every target.</summary>
/// <remarks>
/// Keyed by target name so the numbers survive configuration reloads. In-flight counts are exact under
/// concurrency and cancellation: every call is counted once when it starts and once when it ends, however it
/// ends. Streams are measured by their time to first update, not by total time. Thread-safe.
/// </remarks>
public sealed class TargetLoadTracker
{
    private readonly ConcurrentDictionary<string, Counters> _targets = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="TargetLoadTracker"/> class.</summary>
    /// <param name="options">The smoothing options.</param>
    /// <param name="timeProvider">The time provider; the default is <see cref="TimeProvider.System"/>.</param>
    public TargetLoadTracker(LoadTrackingOptions? options = null, TimeProvider? timeProvider = null)
    {
        Options = options ?? new LoadTrackingOptions();
        OptionsValidation.ThrowIfInvalid(Options, "LoadTracking");
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the options.</summary>
    public LoadTrackingOptions Options { get; }

    /// <summary>Gets the load of one target (zeros for a target never called).</summary>
    /// <param name="target">The target name.</param>
    /// <returns>The snapshot.</returns>
    public TargetLoad GetLoad(string target) =>
        _targets.TryGetValue(target, out Counters? c) ? c.Snapshot(target) : new TargetLoad(target, 0, null, 0, 0);

    /// <summary>Gets the load of every target that has been called, ordered by name.</summary>
    /// <returns>The snapshots.</returns>
    public IReadOnlyList<TargetLoad> GetSnapshot() =>
        [.. _targets.Where(kv => kv.Value.Used).OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => kv.Value.Snapshot(kv.Key))];

    /// <summary>Records that a call to <paramref name="target"/> started.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>A token to pass to <see cref="End"/>; holds the start timestamp.</returns>
    internal long Start(string target)
    {
        Counters counters = For(target);
        counters.Used = true;
        Interlocked.Increment(ref counters.InFlight);
        return _timeProvider.GetTimestamp();
    }

    /// <summary>Records that a call ended.</summary>
    /// <param name="target">The target name.</param>
    /// <param name="startTimestamp">The value <see cref="Start"/> returned.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="firstUpdateTimestamp">For streams, when the first update arrived: latency is measured to it.</param>
    internal void End(string target, long startTimestamp, LoadOutcome outcome, long? firstUpdateTimestamp = null)
    {
        Counters counters = For(target);
        Interlocked.Decrement(ref counters.InFlight);
        switch (outcome)
        {
            case LoadOutcome.Succeeded:
                counters.AddSample(_timeProvider.GetElapsedTime(startTimestamp, firstUpdateTimestamp ?? _timeProvider.GetTimestamp()), Options.Smoothing);
                break;
            case LoadOutcome.Failed:
                Interlocked.Increment(ref counters.Failures);
                break;
            default:
                // Canceled by the caller: neither a latency sample nor the target's fault.
                break;
        }
    }

    /// <summary>Gets the current timestamp of the tracker's time provider.</summary>
    /// <returns>The timestamp.</returns>
    internal long Timestamp() => _timeProvider.GetTimestamp();

    /// <summary>The counters of one target, created on first use and kept for the tracker's lifetime: strategies hold on to them per registry, so a decision reads them without a lookup.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>The counters.</returns>
    internal Counters For(string target) => _targets.GetOrAdd(target, static _ => new Counters());

    /// <summary>One target's numbers. Written under a lock (samples) or with <see cref="Interlocked"/>; read without either, so decisions on many threads never contend.</summary>
    internal sealed class Counters
    {
        private readonly Lock _gate = new();
        private double _ewmaTicks = -1;
        private long _samples;

#pragma warning disable SA1401, CA1051 // Fields updated with Interlocked.
        public long InFlight;
        public long Failures;
        public bool Used;
#pragma warning restore SA1401, CA1051

        /// <summary>Gets the calls in flight now.</summary>
        public long CurrentInFlight => Volatile.Read(ref InFlight);

        /// <summary>Gets the smoothed latency in ticks, or a negative number before the first sample.</summary>
        public double EwmaTicks => Volatile.Read(ref _ewmaTicks);

        /// <summary>Gets the number of latency samples.</summary>
        public long Samples => Volatile.Read(ref _samples);

        public void AddSample(TimeSpan latency, double alpha)
        {
            lock (_gate)
            {
                Volatile.Write(ref _ewmaTicks, _ewmaTicks < 0 ? latency.Ticks : (alpha * latency.Ticks) + ((1 - alpha) * _ewmaTicks));
                Volatile.Write(ref _samples, _samples + 1);
            }
        }

        public TargetLoad Snapshot(string target)
        {
            // Lock-free: each field is read atomically; a sample landing between two reads is seen by the next decision.
            double ewma = EwmaTicks;
            return new TargetLoad(target, CurrentInFlight, ewma < 0 ? null : TimeSpan.FromTicks((long)ewma), Samples, Volatile.Read(ref Failures));
        }
    }
}
