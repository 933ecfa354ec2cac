using System.ComponentModel.DataAnnotations;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmRouting.Resilience;

/// <summary>The Polly pipeline every target runs its calls through: retry, circuit breaker and per-attempt timeout.</summary>
/// <remarks>
/// The strategies are Polly's own option classes, so every Polly knob is available. Defaults handle transient
/// failures only (<see cref="ProviderFailures.IsTransient"/>): timeouts, connection errors, 408, 429 and 5xx.
/// Retries honour the provider's <c>Retry-After</c>; a requested delay longer than
/// <see cref="MaxRetryAfter"/> is not waited for — the request falls over to the next target instead.
/// Callbacks you set on the Polly options are kept: <c>Retry.ShouldHandle</c> decides what is retried instead of
/// <see cref="IsTransient"/>, <c>Retry.DelayGenerator</c> replaces the <c>Retry-After</c> delay,
/// <c>CircuitBreaker.ShouldHandle</c> decides what counts as a failure, and <c>OnOpened</c>/<c>OnClosed</c> run after
/// the router's own bookkeeping. Every value is validated (Polly's ranges included) when the router is built.
/// </remarks>
public sealed class TargetResilienceOptions
{
    /// <summary>Gets or sets a value indicating whether failed calls are retried on the same target.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnableRetry { get; set; } = true;

    /// <summary>Gets the retry strategy options.</summary>
    /// <value>The default: 2 retries, exponential backoff from 500 ms with jitter, at most 10 s between attempts.</value>
    public RetryStrategyOptions Retry { get; } = new()
    {
        MaxRetryAttempts = 2,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(10),
    };

    /// <summary>Gets or sets the longest <c>Retry-After</c> worth waiting for; a longer one fails over at once.</summary>
    /// <value>The default is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets a value indicating whether a circuit breaker guards each target.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool EnableCircuitBreaker { get; set; } = true;

    /// <summary>Gets the circuit-breaker options; an open circuit also removes the target from the candidates.</summary>
    /// <value>The default: opens at 50 % failures over 30 s with at least 10 calls, for 30 s.</value>
    public CircuitBreakerStrategyOptions CircuitBreaker { get; } = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 10,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(30),
    };

    /// <summary>Gets the per-attempt timeout (for streams: the time to the first update).</summary>
    /// <value>The default is 60 seconds.</value>
    public TimeoutStrategyOptions AttemptTimeout { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Gets or sets a value indicating whether, when every target's circuit is open, all are tried anyway rather than failing.</summary>
    /// <value>The default is <see langword="true"/> ("panic" mode, as in YARP and Envoy).</value>
    public bool PanicWhenAllUnhealthy { get; set; } = true;

    /// <summary>Gets or sets the predicate deciding which failures count (retry, breaker).</summary>
    /// <value>The default is <see cref="ProviderFailures.IsTransient"/>.</value>
    [Required]
    public Func<Exception, bool> IsTransient { get; set; } = ProviderFailures.IsTransient;
}
