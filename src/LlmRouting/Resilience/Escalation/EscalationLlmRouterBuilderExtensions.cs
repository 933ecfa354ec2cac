using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Resilience;

namespace LlmRouting;

/// <summary>Adds escalation of low-confidence answers to a router.</summary>
public static class EscalationLlmRouterBuilderExtensions
{
    /// <summary>
    /// Judges every non-streamed answer (and, with <see cref="EscalationOptions.EvaluateStreams"/>, every streamed one, held
    /// back until complete) with the <see cref="IResponseEvaluator"/>s (the enabled built-ins plus any in DI); a rejected
    /// answer is re-routed once to the next higher-tier candidate, both costs recorded (<see cref="RouteInfo.IsEscalated"/>).
    /// Requires <see cref="FallbackLlmRouterBuilderExtensions.UseFallback"/>.
    /// </summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Adjusts the built-in evaluators.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EscalationOptions.RefusalSearchLength"/> or <see cref="EscalationOptions.MaxHeldCharacters"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A refusal phrase is empty, or <see cref="EscalationOptions.MaxHeldCharacters"/> is set without <see cref="EscalationOptions.EvaluateStreams"/>.</exception>
    public static LlmRouterBuilder UseEscalation(this LlmRouterBuilder builder, Action<EscalationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EscalationOptions();
        configure?.Invoke(options);
        if (options.RefusalSearchLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.RefusalSearchLength, "EscalationOptions.RefusalSearchLength must be at least 1.");
        }

        if (options.RefusalPhrases.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("EscalationOptions.RefusalPhrases must not contain empty phrases.", nameof(configure));
        }

        if (options.MaxHeldCharacters is { } held)
        {
            if (held < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(configure), held, "EscalationOptions.MaxHeldCharacters must be at least 1 (or null to hold the whole streamed answer).");
            }

            if (!options.EvaluateStreams)
            {
                throw new ArgumentException("EscalationOptions.MaxHeldCharacters bounds the hold-back of streamed answers: it needs EscalationOptions.EvaluateStreams = true.", nameof(configure));
            }
        }

        if (!builder.RegisterStage("UseEscalation"))
        {
            return builder;
        }

        IServiceCollection services = builder.Services;
        services.AddSingleton(options);
        if (options.EscalateTruncated)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IResponseEvaluator, TruncatedAnswerEvaluator>());
        }

        if (options.EscalateRefusals)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IResponseEvaluator, RefusalEvaluator>());
        }

        services.TryAddSingleton(sp => new ResponseEscalator(sp.GetServices<IResponseEvaluator>(), options));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmRoutingOptions>, EscalationRequiresFallbackValidator>());
        return builder;
    }
}
