using LlmRouting.Costs;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LlmRouting.Accounting;
using LlmRouting.Audits;
using LlmRouting.Configuration;
using LlmRouting.Filtering;
using LlmRouting.Learning;

namespace LlmRouting;

/// <summary>Adds quality audits to the router.</summary>
public static class QualityAuditLlmRouterBuilderExtensions
{
    /// <summary>
    /// Audits a sample of the requests served below the top tier: re-asks a reference target off the caller's path, compares
    /// the answers and records the verdict as a label (<see cref="QualityAuditor"/>; turns on <c>UseRoutingLabels</c>).
    /// </summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the sample rate, spend cap, concurrency, queue, reference and judge.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The answers are compared by the container's <see cref="IAnswerComparer"/> when one is registered, else by a
    /// <see cref="JudgeAnswerComparer"/> over the judge target. The options are validated when the router is built (and at
    /// start-up with <c>ValidateOnStart</c>); resolve <see cref="QualityAuditor"/> for its counters. The auditor is a
    /// singleton of the container: disposing the container (or a router built without one) cancels pending audits.
    /// </remarks>
    public static LlmRouterBuilder UseQualityAudits(this LlmRouterBuilder builder, Action<QualityAuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        builder.UseRoutingLabels();
        if (services.Any(d => d.ServiceType == typeof(QualityAuditor)))
        {
            return builder;
        }

        OptionsValidation.AddValidation<QualityAuditOptions>(services, QualityAuditOptions.SectionName);
        services.TryAddSingleton(static sp => new QualityAuditor(
            sp.GetService<IOptions<QualityAuditOptions>>()?.Value ?? new QualityAuditOptions(),
            sp.GetRequiredService<RoutingLabels>(),
            sp.GetService<IAnswerComparer>(),
            sp.GetService<SensitivityPolicy>(),
            sp.GetService<IRoutingLedger>(),
            sp.GetService<IBudgetStore>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IMeterFactory>(),
            sp.GetService<ILogger<QualityAuditor>>()));
        builder.DecorateTargets(static d => d.Profile.Tier == QualityTier.Premium
            ? d.Client // a premium answer is never audited
            : new AuditCaptureChatClient(d.Client, d.Services.GetRequiredService<QualityAuditor>()));
        return builder.AddObserver<QualityAuditor>();
    }
}
