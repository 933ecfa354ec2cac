using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Resilience;

/// <summary>How a routed request falls over: which targets follow the decision, which failures move on, and the time budget.</summary>
public sealed class FallbackOptions
{
    /// <summary>Gets targets tried, in order, after the decision's own targets (each must still be a candidate for the request).</summary>
    public IList<string> LastResort { get; } = [];

    /// <summary>Gets or sets a value indicating whether, after the decision and <see cref="LastResort"/>, every other candidate is tried (same tier first, then the nearest tiers, cheapest first).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool TryRemainingCandidates { get; set; } = true;

    /// <summary>Gets or sets the most targets one request may try.</summary>
    /// <value>The default is 3.</value>
    [Range(1, int.MaxValue)]
    public int MaxTargets { get; set; } = 3;

    /// <summary>Gets or sets the time budget for the whole request across all attempts and retries; <see langword="null"/> for none.</summary>
    /// <value>The default is 2 minutes.</value>
    [Positive]
    public TimeSpan? TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the predicate deciding which failures fall over to the next target (the caller's cancellation never does).</summary>
    /// <value>The default is <see cref="ProviderFailures.IsTransient"/>: timeouts, open circuits, connection errors, 408, 429, 5xx.</value>
    [Required]
    public Func<Exception, bool> ShouldFallOver { get; set; } = ProviderFailures.IsTransient;

    /// <summary>Gets or sets a value indicating whether a stream that ends without a finish reason counts as broken (<see cref="StreamInterruptedException"/>).</summary>
    /// <value>The default is <see langword="true"/>: the OpenAI SSE reader ends silently when a connection is cut mid-answer.</value>
    public bool RequireFinishReason { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether each target's calls run through a Polly pipeline (retry, circuit breaker, timeout) whose circuit also feeds the candidate filter.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool UseTargetResilience { get; set; } = true;

    /// <summary>Gets the opt-in mid-stream continuation settings (off by default).</summary>
    public StreamContinuationOptions Continuation { get; } = new();

    /// <summary>Gets the opt-in hedging settings (off by default).</summary>
    public HedgingOptions Hedging { get; } = new();

    /// <summary>Gets the per-target resilience settings.</summary>
    public TargetResilienceOptions Resilience { get; } = new();
}
