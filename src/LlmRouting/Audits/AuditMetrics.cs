using System.Diagnostics.Metrics;
using LlmRouting.Accounting;
using LlmRouting.Telemetry;

namespace LlmRouting.Audits;

/// <summary>The audit instruments on the <c>LlmRouting</c> meter: audits by result, audit cost, and verdicts (the match rate is matched / all).</summary>
internal sealed class AuditMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _audits;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _verdicts;

    public AuditMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(LlmRoutingTelemetry.MeterName, LlmRoutingTelemetry.Version) ?? new Meter(LlmRoutingTelemetry.MeterName, LlmRoutingTelemetry.Version);
        _audits = _meter.CreateCounter<long>("llmrouting.audits", "{audit}", "Quality audits by result: enqueued, dropped (queue full), capped (daily spend), skipped (no allowed reference), completed, failed, cancelled.");
        _cost = _meter.CreateCounter<double>("llmrouting.audit.cost", "{currency}", "Cost of quality audits (reference and judge calls), apart from the requests' cost.");
        _verdicts = _meter.CreateCounter<long>("llmrouting.audit.verdicts", "{audit}", "Audit verdicts by audited target and task; matched = the cheaper answer matched or beat the reference (match rate = matched / all).");
    }

    public void Count(string result)
    {
        if (_audits.Enabled)
        {
            _audits.Add(1, new KeyValuePair<string, object?>("llmrouting.audit.result", result));
        }
    }

    public void Record(RoutingAuditEntry entry)
    {
        if (_cost.Enabled && entry.Cost != 0)
        {
            _cost.Add((double)entry.Cost, new KeyValuePair<string, object?>(RoutingTags.Target, entry.Target));
        }

        if (_verdicts.Enabled && entry.Matched is { } matched)
        {
            _verdicts.Add(1, new(RoutingTags.Target, entry.Target), new("llmrouting.task", entry.Task), new("llmrouting.audit.matched", matched));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
