using System.Globalization;
using System.Xml.Linq;
using LlmRouting.Cli.Evaluation;
using LlmRouting.Cli.Output;

namespace LlmRouting.Cli.Tests;

public class SvgPlotTests
{
    private static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData("length")]
    [InlineData("classifier (5-fold by group)")]
    [InlineData("meai-semantic (5-fold by group), premium profile from the training folds")]
    public void EveryTextFitsOnTheCanvas(string router)
    {
        EvaluationResult result = Result(router, intervals: true);

        XDocument svg = XDocument.Parse(SvgPlot.Render(result));

        double width = double.Parse(svg.Root!.Attribute("width")!.Value, CultureInfo.InvariantCulture);
        Assert.Equal($"0 0 {svg.Root.Attribute("width")!.Value} 480", svg.Root.Attribute("viewBox")!.Value);
        foreach (XElement text in svg.Descendants(Ns + "text").Where(t => t.Attribute("text-anchor")!.Value == "start"))
        {
            double size = text.Attribute("font-size") is { } s ? double.Parse(s.Value, CultureInfo.InvariantCulture) : 12;

            // 0.58 em is the average advance of a sans-serif glyph in mixed text; the canvas must hold it.
            double right = double.Parse(text.Attribute("x")!.Value, CultureInfo.InvariantCulture) + (text.Value.Length * size * 0.58);
            Assert.True(right <= width, $"'{text.Value}' ends near x = {right:0} on a canvas {width} wide");
        }
    }

    [Fact]
    public void Legend_ListsTheRouterBaselinesAndTheInterval()
    {
        XDocument svg = XDocument.Parse(SvgPlot.Render(Result("length", intervals: true)));

        string[] texts = [.. svg.Descendants(Ns + "text").Select(t => t.Value)];
        Assert.Contains(texts, t => t.StartsWith("length (APGR ", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("group oracle (APGR ", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("APGR 95% interval ", StringComparison.Ordinal));
        Assert.Contains("(200 resamples of 4 groups)", texts);
        Assert.Equal(4, svg.Descendants(Ns + "polyline").Count());
    }

    [Fact]
    public void WithoutGroupsOrIntervals_ThereAreThreeCurvesAndNoIntervalNote()
    {
        XDocument svg = XDocument.Parse(SvgPlot.Render(Result("length", intervals: false, groups: false)));

        Assert.Equal(3, svg.Descendants(Ns + "polyline").Count());
        Assert.DoesNotContain(svg.Descendants(Ns + "text"), t => t.Value.Contains("interval", StringComparison.Ordinal));
    }

    private static EvaluationResult Result(string router, bool intervals, bool groups = true)
    {
        var random = new Random(4);
        int n = 400;
        double[] scores = new double[n], weak = new double[n], strong = new double[n];
        string[] names = new string[n];
        for (int i = 0; i < n; i++)
        {
            names[i] = $"g{i % 4}";
            weak[i] = random.NextDouble() < 0.6 ? 1 : 0;
            strong[i] = random.NextDouble() < 0.6 + (0.1 * (i % 4)) ? 1 : 0;
            scores[i] = random.NextDouble();
        }

        BootstrapIntervals? bootstrap = intervals ? BootstrapIntervals.Compute(scores, weak, strong, names, 200, 0.95, seed: 1) : null;
        return EvaluationResult.Compute(router, scores, weak, strong, groups ? names : null, bootstrap);
    }
}
