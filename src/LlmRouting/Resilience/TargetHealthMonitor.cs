using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmRouting.Resilience;

/// <summary>Owns every target's resilience pipeline and circuit, keyed by target name, and reports their health.</summary>
/// <remarks>
/// One instance per router (a DI singleton). Pipelines are built once per target name, so circuit state
/// survives configuration reloads. Thread-safe.
/// </remarks>
public sealed class TargetHealthMonitor
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly TargetResilienceOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="TargetHealthMonitor"/> class.</summary>
    /// <param name="options">The resilience options shared by all targets.</param>
    /// <param name="timeProvider">The time provider; the default is <see cref="TimeProvider.System"/>.</param>
    public TargetHealthMonitor(TargetResilienceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the options.</summary>
    public TargetResilienceOptions Options => _options;

    /// <summary>Gets the health of every target that has a pipeline.</summary>
    /// <returns>One entry per target, ordered by name.</returns>
    public IReadOnlyList<TargetHealth> GetSnapshot() =>
        [.. _entries.Values.Select(e => e.Health).OrderBy(h => h.Target, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Gets the health of one target.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>The health; a target without a pipeline yet is closed.</returns>
    public TargetHealth GetHealth(string target) =>
        _entries.TryGetValue(target, out Entry? entry) ? entry.Health : new TargetHealth(target, CircuitState.Closed, null, null);

    /// <summary>Gets a value indicating whether a target accepts calls (closed, half-open, or open past its break), without allocating: the candidate filter's hot path.</summary>
    /// <param name="target">The target name.</param>
    /// <returns><see langword="true"/> when the target may be called.</returns>
    public bool IsAvailable(string target) => !_entries.TryGetValue(target, out Entry? entry) || entry.IsAvailable;

    /// <summary>Polly moves an open circuit to half-open on the next call after the break; report it so, so the filter lets that probe through.</summary>
    private TargetHealth Observe(TargetHealth health) =>
        health is { State: CircuitState.Open, OpenUntil: { } until } && until <= _timeProvider.GetUtcNow()
            ? health with { State = CircuitState.HalfOpen, OpenUntil = null }
            : health;

    /// <summary>Gets a value indicating whether every known target's circuit is open (the panic condition).</summary>
    /// <returns><see langword="true"/> when at least one target is known and none is available.</returns>
    public bool AllUnavailable()
    {
        bool any = false;
        foreach (Entry entry in _entries.Values)
        {
            any = true;
            if (entry.Health.IsAvailable)
            {
                return false;
            }
        }

        return any;
    }

    /// <summary>Gets (building once) the pipeline of a target.</summary>
    /// <param name="target">The target name.</param>
    /// <returns>The pipeline.</returns>
    public ResiliencePipeline GetPipeline(string target) => GetCircuit(target).Pipeline;

    /// <summary>Gets (building once) a target's circuit: its pipelines and the panic check a call makes.</summary>
    internal Entry GetCircuit(string target) => _entries.GetOrAdd(target, name => new Entry(name, this));

    /// <summary>One target's pipeline, its circuit's state, and the panic probe that bypasses an open circuit when every circuit is open.</summary>
    internal sealed class Entry
    {
        private readonly CircuitBreakerStateProvider _state = new();
        private readonly CircuitBreakerManualControl? _control; // ours (unless the user set one): a panic probe's success closes the circuit through it
        private volatile OpenInfo? _opened;

        private readonly TargetHealthMonitor _owner;

        public Entry(string target, TargetHealthMonitor owner)
        {
            Target = target;
            _owner = owner;
            TargetResilienceOptions o = owner._options;
            var builder = new ResiliencePipelineBuilder { Name = $"llmrouting-{target}", TimeProvider = owner._timeProvider };

            if (o.EnableRetry)
            {
                // The user's own ShouldHandle and DelayGenerator, when set, take the place of the transient check and Retry-After.
                RetryStrategyOptions retry = Copy(o.Retry);
                Func<RetryPredicateArguments<object>, ValueTask<bool>>? userRetry = IsSet(o.Retry.ShouldHandle, PollyDefaults.Retry.ShouldHandle) ? o.Retry.ShouldHandle : null;
                retry.ShouldHandle = userRetry is null
                    ? args => new(ShouldRetry(args.Outcome.Exception, o, owner._timeProvider))
                    : async args => await userRetry(args).ConfigureAwait(false) && WithinRetryAfter(args.Outcome.Exception, o, owner._timeProvider);
                retry.DelayGenerator = o.Retry.DelayGenerator ?? (args =>
                    new(args.Outcome.Exception is { } ex ? ProviderFailures.GetRetryAfter(ex, owner._timeProvider.GetUtcNow()) : null));
                builder.AddRetry(retry);
            }

            if (o.EnableCircuitBreaker)
            {
                CircuitBreakerStrategyOptions breaker = Copy(o.CircuitBreaker);
                breaker.StateProvider = _state;
                breaker.ManualControl ??= _control = new CircuitBreakerManualControl();
                breaker.ShouldHandle = IsSet(o.CircuitBreaker.ShouldHandle, PollyDefaults.CircuitBreaker.ShouldHandle)
                    ? o.CircuitBreaker.ShouldHandle
                    : args => new(args.Outcome.Exception is { } ex && o.IsTransient(ex));
                Func<OnCircuitOpenedArguments<object>, ValueTask>? userOpened = o.CircuitBreaker.OnOpened;
                Func<OnCircuitClosedArguments<object>, ValueTask>? userClosed = o.CircuitBreaker.OnClosed;
                breaker.OnOpened = args =>
                {
                    _opened = new OpenInfo(owner._timeProvider.GetUtcNow() + args.BreakDuration, args.Outcome.Exception?.GetType().Name);
                    return userOpened?.Invoke(args) ?? default;
                };
                breaker.OnClosed = args =>
                {
                    _opened = _opened is { } last ? last with { Until = null } : null;
                    return userClosed?.Invoke(args) ?? default;
                };
                builder.AddCircuitBreaker(breaker);
            }

            builder.AddTimeout(AttemptTimeout(o));
            Pipeline = builder.Build();

            // In panic every target is tried once, on the attempt timeout alone: its own breaker would reject the call unseen.
            PanicPipeline = o.EnableCircuitBreaker && o.PanicWhenAllUnhealthy
                ? new ResiliencePipelineBuilder { Name = $"llmrouting-{target}-panic", TimeProvider = owner._timeProvider }.AddTimeout(AttemptTimeout(o)).Build()
                : null;
        }

        public string Target { get; }

        public ResiliencePipeline Pipeline { get; }

        /// <summary>Gets the pipeline a panic probe runs through (the attempt timeout, no breaker, no retry); <see langword="null"/> without panic mode.</summary>
        public ResiliencePipeline? PanicPipeline { get; }

        /// <summary>Gets a value indicating whether a call now is a panic probe: this circuit rejects calls and so does every other target's.</summary>
        public bool InPanic => PanicPipeline is not null && !IsAvailable && _owner.AllUnavailable();

        /// <summary>A panic probe succeeded: the target answers again, so its circuit closes (when the router owns its control).</summary>
        public ValueTask ClosePanicAsync() => _control is { } control ? new(control.CloseAsync()) : default;

        public bool IsAvailable =>
            _state.CircuitState switch
            {
                CircuitState.Closed or CircuitState.HalfOpen => true,
                CircuitState.Open => _opened?.Until is { } until && until <= _owner._timeProvider.GetUtcNow(),
                _ => false,
            };

        public TargetHealth Health
        {
            get
            {
                CircuitState state = _state.CircuitState;
                OpenInfo? opened = _opened;
                return _owner.Observe(new TargetHealth(Target, state, state is CircuitState.Open or CircuitState.Isolated ? opened?.Until : null, opened?.Failure));
            }
        }

        /// <summary>Polly's defaults, to tell a predicate the user set from the one every new options object carries.</summary>
        private static class PollyDefaults
        {
            public static readonly RetryStrategyOptions Retry = new();

            public static readonly CircuitBreakerStrategyOptions CircuitBreaker = new();
        }

        /// <summary>When the circuit last opened: swapped as one reference, so readers never see a torn value.</summary>
        private sealed record OpenInfo(DateTimeOffset? Until, string? Failure);

        private static bool ShouldRetry(Exception? exception, TargetResilienceOptions options, TimeProvider time)
        {
            if (exception is null || exception is BrokenCircuitException || !options.IsTransient(exception))
            {
                return false;
            }

            return WithinRetryAfter(exception, options, time);
        }

        /// <summary>A provider asking for a long pause is better served by the next target than by waiting.</summary>
        private static bool WithinRetryAfter(Exception? exception, TargetResilienceOptions options, TimeProvider time) =>
            exception is null || ProviderFailures.GetRetryAfter(exception, time.GetUtcNow()) is not { } wait || wait <= options.MaxRetryAfter;

        private static TimeoutStrategyOptions AttemptTimeout(TargetResilienceOptions o) =>
            new() { Timeout = o.AttemptTimeout.Timeout, TimeoutGenerator = o.AttemptTimeout.TimeoutGenerator, OnTimeout = o.AttemptTimeout.OnTimeout };

        private static bool IsSet<T>(T value, T defaultValue)
            where T : Delegate => !ReferenceEquals(value, defaultValue);

        private static RetryStrategyOptions Copy(RetryStrategyOptions source) => new()
        {
            Name = source.Name,
            MaxRetryAttempts = source.MaxRetryAttempts,
            BackoffType = source.BackoffType,
            UseJitter = source.UseJitter,
            Delay = source.Delay,
            MaxDelay = source.MaxDelay,
            OnRetry = source.OnRetry,
            Randomizer = source.Randomizer,
        };

        private static CircuitBreakerStrategyOptions Copy(CircuitBreakerStrategyOptions source) => new()
        {
            Name = source.Name,
            ManualControl = source.ManualControl,
            FailureRatio = source.FailureRatio,
            MinimumThroughput = source.MinimumThroughput,
            SamplingDuration = source.SamplingDuration,
            BreakDuration = source.BreakDuration,
            BreakDurationGenerator = source.BreakDurationGenerator,
            OnHalfOpened = source.OnHalfOpened,
        };
    }
}
