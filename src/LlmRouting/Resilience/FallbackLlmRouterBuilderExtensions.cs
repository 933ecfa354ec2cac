using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Resilience;

namespace LlmRouting;

/// <summary>Adds failover, retries, circuit breakers and timeouts to a router.</summary>
public static class FallbackLlmRouterBuilderExtensions
{
    /// <summary>Falls over to the decision's next targets (then the last-resort chain and other candidates) on transient failures, with a Polly pipeline per target.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Adjusts the fallback and per-target resilience options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (checked here, at configuration time).</exception>
    public static LlmRouterBuilder UseFallback(this LlmRouterBuilder builder, Action<FallbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new FallbackOptions();
        configure?.Invoke(options);
        Validate(options);
        if (!builder.RegisterStage("UseFallback"))
        {
            return builder;
        }

        IServiceCollection services = builder.Services;
        services.AddSingleton(options);
        builder.UseExecutor("UseFallback", sp => new FallbackRouteExecutor(options, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ResponseEscalator>()));
        builder.Validators.Add((_, _) => OptionsValidation.Validate(options, "Fallback"));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmRoutingOptions>, FallbackOptionsValidator>());
        if (options.UseTargetResilience)
        {
            services.AddSingleton(sp => new TargetHealthMonitor(options.Resilience, sp.GetService<TimeProvider>()));
            builder.AddFilter<HealthFilter>();
            builder.DecorateTargets(d => new ResilientTargetChatClient(d.Client, d.Services.GetRequiredService<TargetHealthMonitor>().GetCircuit(d.TargetName)));
        }

        return builder;
    }

    private static void Validate(FallbackOptions options)
    {
        if (options.MaxTargets < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxTargets, "FallbackOptions.MaxTargets must be at least 1.");
        }

        if (options.TotalTimeout is { } total && total <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), total, "FallbackOptions.TotalTimeout must be positive (or null for no budget).");
        }

        if (options.Resilience.MaxRetryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Resilience.MaxRetryAfter, "FallbackOptions.Resilience.MaxRetryAfter must not be negative.");
        }

        StreamContinuationOptions continuation = options.Continuation;
        if (continuation.MaxContinuations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), continuation.MaxContinuations, "FallbackOptions.Continuation.MaxContinuations must be at least 1.");
        }

        if (continuation.IdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), idle, "FallbackOptions.Continuation.IdleTimeout must be positive (or null for no idle limit).");
        }

        if (string.IsNullOrWhiteSpace(continuation.Instruction))
        {
            throw new ArgumentException("FallbackOptions.Continuation.Instruction must not be empty.", nameof(options));
        }

        if (options.UseTargetResilience && options.Resilience.EnableRetry && options.Resilience.Retry.MaxRetryAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Resilience.Retry.MaxRetryAttempts, "FallbackOptions.Resilience.Retry.MaxRetryAttempts must be at least 1 (set Resilience.EnableRetry = false for no retries).");
        }

        HedgingOptions hedging = options.Hedging;
        if (hedging.MaxHedgedAttempts is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(options), hedging.MaxHedgedAttempts, "FallbackOptions.Hedging.MaxHedgedAttempts must be between 1 and 10.");
        }

        if (hedging.Percentile is <= 0 or > 1 || double.IsNaN(hedging.Percentile))
        {
            throw new ArgumentOutOfRangeException(nameof(options), hedging.Percentile, "FallbackOptions.Hedging.Percentile must be in (0, 1].");
        }

        if (hedging.SampleSize < 1 || hedging.MinimumSamples < 0 || hedging.MinimumSamples > hedging.SampleSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), hedging.SampleSize, "FallbackOptions.Hedging.SampleSize must be at least 1 and MinimumSamples between 0 and SampleSize.");
        }

        if (hedging.InitialDelay <= TimeSpan.Zero || hedging.MinimumDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), hedging.InitialDelay, "FallbackOptions.Hedging.InitialDelay must be positive and MinimumDelay not negative.");
        }

        ArgumentNullException.ThrowIfNull(options.ShouldFallOver, "FallbackOptions.ShouldFallOver");
        ArgumentNullException.ThrowIfNull(options.Resilience.IsTransient, "FallbackOptions.Resilience.IsTransient");
    }
}
