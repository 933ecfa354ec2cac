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
    public static LlmRouterBuilder UseEscalation(this LlmRouterBuilder builder, Action<EscalationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EscalationOptions();
        configure?.Invoke(options);
        if (!builder.RegisterStage("UseEscalation"))
        {
            return builder;
        }

        builder.ValidateOnBuild(options, "Escalation");
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
