using BenchmarkDotNet.Attributes;
using LlmRouting.Analysis;

namespace LlmRouting.Benchmarks;

/// <summary>
/// The request analyzer against its floor: one scalar pass over the same characters that classifies each one (letter,
/// digit, white space, other) — what any per-character analysis must at least pay. Issue 17's target is ≤ 3×.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerScanBenchmarks
{
    private string _text = null!;

    /// <summary>Gets or sets the prompt size in bytes.</summary>
    [Params(1_024, 16_384)]
    public int PromptBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _text = BenchmarkPrompts.Text(PromptBytes);

    [Benchmark(Baseline = true, Description = "one-pass scalar scan")]
    public int ScalarScan() => Scan(_text);

    [Benchmark(Description = "analyzer (AnalyzeText)")]
    public RequestAnalysis Analyzer() => RequestAnalyzer.Default.AnalyzeText(_text);

    /// <summary>The floor: one scalar pass that classifies each character (letter, digit, white space, other).</summary>
    /// <param name="text">The text.</param>
    /// <returns>A checksum of the counts, so the pass cannot be elided.</returns>
    internal static int Scan(string text)
    {
        int letters = 0, digits = 0, spaces = 0, other = 0;
        foreach (char c in text)
        {
            if (char.IsLetter(c))
            {
                letters++;
            }
            else if (char.IsDigit(c))
            {
                digits++;
            }
            else if (char.IsWhiteSpace(c))
            {
                spaces++;
            }
            else
            {
                other++;
            }
        }

        return letters + (digits * 3) + (spaces * 5) + (other * 7);
    }
}
