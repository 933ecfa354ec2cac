using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Strategies;
using LlmRouting.Telemetry;
using LlmRouting.Statistics;

namespace LlmRouting;

/// <summary>Turns on the router's OpenTelemetry spans and metrics.</summary>
public static class TelemetryLlmRouterBuilderExtensions
{
    /// <summary>Records a span per routed request (source <see cref="LlmRoutingTelemetry.ActivitySourceName"/>) and routing metrics (meter <see cref="LlmRoutingTelemetry.MeterName"/>).</summary>
    /// <param name="builder">The router builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Spans and measurements carry target names, strategies, reasons, counts, tokens and costs — never prompt or
    /// response text. With no listener attached, the cost is a few branches per request. For message content in
    /// traces, put MEAI's <c>OpenTelemetryChatClient</c> (with <c>EnableSensitiveData</c>) around the targets; its spans
    /// nest under the routing span.
    /// </remarks>
    public static LlmRouterBuilder UseTelemetry(this LlmRouterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp => new RoutingMetrics(sp.GetService<IMeterFactory>(), sp.GetService<RouterName>()?.Value));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteOutcomeListener, FeedbackMetricsListener>(static sp => new FeedbackMetricsListener(sp.GetRequiredService<RoutingMetrics>())));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IBudgetSpendListener, BudgetMetricsListener>(static sp => new BudgetMetricsListener(sp.GetRequiredService<RoutingMetrics>())));
        return builder;
    }
}
