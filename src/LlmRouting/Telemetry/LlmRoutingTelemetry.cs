using System.Diagnostics;
using System.Reflection;

namespace LlmRouting.Telemetry;

/// <summary>The names under which the router publishes traces and metrics, for OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c>.</summary>
/// <example><code>
/// builder.Services.AddOpenTelemetry()
///     .WithTracing(t => t.AddSource(LlmRoutingTelemetry.ActivitySourceName))
///     .WithMetrics(m => m.AddMeter(LlmRoutingTelemetry.MeterName));
/// </code></example>
public static class LlmRoutingTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> name.</summary>
    public const string ActivitySourceName = "LlmRouting";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name.</summary>
    public const string MeterName = "LlmRouting";

    /// <summary>The span name of a routed request.</summary>
    public const string RouteActivityName = "llmrouting.route";

    internal static readonly string Version = typeof(LlmRoutingTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);
}
