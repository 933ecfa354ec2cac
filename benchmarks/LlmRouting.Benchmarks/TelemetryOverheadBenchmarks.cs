using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using LlmRouting.Accounting;
using LlmRouting.Learning;
using LlmRouting.Telemetry;

namespace LlmRouting.Benchmarks;

/// <summary>
/// What observability adds to a routed call: the router with telemetry off (baseline), with telemetry on, and with
/// telemetry on plus the in-memory ledger and outcome-feedback observers — each with and without an
/// <see cref="ActivityListener"/> and a <see cref="MeterListener"/> recording everything from the LlmRouting source and meter.
/// </summary>
[MemoryDiagnoser]
public class TelemetryOverheadBenchmarks
{
    private LlmRouterChatClient _plain = null!;
    private LlmRouterChatClient _telemetry = null!;
    private LlmRouterChatClient _observed = null!;
    private ActivityListener? _activityListener;
    private MeterListener? _meterListener;
    private List<ChatMessage> _messages = null!;
    private ChatOptions _options = null!;

    /// <summary>Gets or sets a value indicating whether a span and metric listener is attached.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new TargetRegistry(
        [
            new RouteTarget("premium", new NullChatClient(), new TargetProfile { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m, Tier = QualityTier.Premium }),
            new RouteTarget("economy", new NullChatClient(), new TargetProfile { InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.60m, Tier = QualityTier.Economy }),
        ]);
        _plain = new LlmRouterChatClient(registry, "economy", options: new LlmRouterChatClientOptions { Baseline = "premium" });
        _telemetry = new LlmRouterChatClient(registry, "economy", options: new LlmRouterChatClientOptions { Baseline = "premium", EnableTelemetry = true });
        var observedOptions = new LlmRouterChatClientOptions { Baseline = "premium", EnableTelemetry = true };
        observedOptions.Observers.Add(new LedgerRouteObserver(new InMemoryRoutingLedger()));
        observedOptions.Observers.Add(new RouteFeedback());
        _observed = new LlmRouterChatClient(registry, "economy", options: observedOptions);

        _messages = [new ChatMessage(ChatRole.User, "Please summarise the meeting notes for the team.")];
        _options = new ChatOptions { AdditionalProperties = new() { ["tenant"] = "acme", ["user"] = "ann" } };

        if (Listening)
        {
            _activityListener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == LlmRoutingTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activityListener);
            _meterListener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == LlmRoutingTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meterListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meterListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meterListener.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _activityListener?.Dispose();
        _meterListener?.Dispose();
        _plain.Dispose();
    }

    [Benchmark(Baseline = true, Description = "telemetry off")]
    public Task<ChatResponse> TelemetryOff() => _plain.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "telemetry on")]
    public Task<ChatResponse> TelemetryOn() => _telemetry.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "telemetry + ledger + feedback")]
    public Task<ChatResponse> TelemetryLedgerFeedback() => _observed.GetResponseAsync(_messages, _options);
}
