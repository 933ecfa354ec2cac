using LlmRouting.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace WebApi;

/// <summary>Wires OpenTelemetry (section <c>Telemetry</c>): the router's, MEAI's and ASP.NET Core's spans and metrics, to the console or OTLP.</summary>
internal static class SampleTelemetry
{
    public const string SectionName = "Telemetry";

    /// <summary>Where telemetry goes.</summary>
    public enum Exporter
    {
        /// <summary>Nowhere: OpenTelemetry is not set up.</summary>
        None,

        /// <summary>The console (for trying it out).</summary>
        Console,

        /// <summary>An OTLP collector (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, default <c>http://localhost:4317</c>).</summary>
        Otlp,
    }

    public static Exporter Add(IServiceCollection services, IConfigurationSection section)
    {
        string text = section["Exporter"] ?? nameof(Exporter.None);
        if (!Enum.TryParse(text, ignoreCase: true, out Exporter exporter) || !Enum.IsDefined(exporter))
        {
            throw new InvalidOperationException($"{SectionName}:Exporter '{text}' is not one of {string.Join(", ", Enum.GetNames<Exporter>())}.");
        }

        if (exporter == Exporter.None)
        {
            return exporter;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("llmrouting-webapi"))
            .WithTracing(t =>
            {
                t.AddSource(LlmRoutingTelemetry.ActivitySourceName, "Microsoft.Extensions.AI", "Microsoft.AspNetCore");
                _ = exporter == Exporter.Console ? t.AddConsoleExporter() : t.AddOtlpExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter(LlmRoutingTelemetry.MeterName, "Microsoft.Extensions.AI", "Microsoft.AspNetCore.Hosting");
                _ = exporter == Exporter.Console ? m.AddConsoleExporter() : m.AddOtlpExporter();
            });
        return exporter;
    }
}
