using BenchmarkDotNet.Attributes;
using LlmRouting.Analysis;
using LlmRouting.Tests.Analysis.Reference;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The analyzer against its floor (issue 17): a plain one-pass scalar scan of the same characters (counting letters and
/// digits) is the baseline. Rows: the text scan before the vectorised rewrite (the test project's reference copy, linked
/// here), the scan now, the whole text analysis (<see cref="RequestAnalyzer.AnalyzeText"/>) and a fresh request's
/// <see cref="RoutingRequest.Analysis"/> (validation, per-message reuse bookkeeping, scan, scores). Realistic prompt
/// text: prose, a code block, a list, numbers, an e-mail address and a phone number (ASCII, so no normalisation copy).
/// </summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private string _text = null!;

    /// <summary>Gets or sets the prompt size in characters.</summary>
    [Params(1_024, 16_384)]
    public int PromptBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _text = BenchmarkPrompts.Mixed(PromptBytes);

    [Benchmark(Baseline = true, Description = "scalar scan (count letters and digits)")]
    public int ScalarScan()
    {
        int count = 0;
        foreach (char c in _text)
        {
            count += char.IsLetterOrDigit(c) ? 1 : 0;
        }

        return count;
    }

    [Benchmark(Description = "text scan before (reference copy)")]
    public long ScanBefore()
    {
        var signals = new ReferenceTextSignals();
        signals.Scan(_text, 1f);
        return signals.Words;
    }

    [Benchmark(Description = "text scan now")]
    public long ScanNow()
    {
        var signals = new TextSignals();
        signals.Scan(_text, 1f);
        return signals.Words;
    }

    [Benchmark(Description = "AnalyzeText")]
    public RequestAnalysis AnalyzeText() => RequestAnalyzer.Default.AnalyzeText(_text);

    [Benchmark(Description = "new RoutingRequest(text).Analysis")]
    public RequestAnalysis RequestAnalysis() => new RoutingRequest(_text).Analysis;
}
