using System.Globalization;
using System.Text;
using LlmRouting.Cli.Commands;

namespace LlmRouting.Cli.Output;

/// <summary>Renders the simulated learning curve: APGR per window of the live adaptive router and of the default score, and the offline adaptive figure.</summary>
internal static class LearningCurveSvg
{
    private const double Width = 720, Height = 420, Left = 70, Right = 230, Top = 50, Bottom = 60;

    public static string Render(IReadOnlyList<LearningWindow> windows, double? offline, double auditRate, int repeats)
    {
        double[] values = [.. windows.Select(w => w.Live), .. windows.Select(w => w.Default), .. offline is { } o ? [o] : Array.Empty<double>()];
        double low = Math.Floor((values.Min() - 0.01) * 50) / 50, high = Math.Ceiling((values.Max() + 0.01) * 50) / 50;
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (plotWidth * i / Math.Max(1, windows.Count - 1));
        double Y(double v) => Top + (plotHeight * (high - v) / (high - low));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"25\" font-size=\"14\">Live adaptive router, audits on {auditRate:0.#%} of traffic (mean of {repeats} seeded streams)</text>\n");
        for (double v = low; v <= high + 1e-9; v += 0.02)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Y(v):0.0}\" y2=\"{Y(v):0.0}\" stroke=\"#e0e0e0\"/><text x=\"{Left - 8}\" y=\"{Y(v) + 4:0.0}\" text-anchor=\"end\">{v:0.00}</text>\n");
        }

        for (int i = 0; i < windows.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.0}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{windows[i].Labels:0}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 15}\" text-anchor=\"middle\">audit labels so far, after each of {windows.Count - 1} windows ({windows[^1].Prompts:0} requests streamed)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"rotate(-90)\" x=\"{-(Top + (plotHeight / 2))}\" y=\"18\" text-anchor=\"middle\">APGR on held-out prompts</text>\n");
        var legend = new List<(string Label, string Color, string? Dash)>();
        if (offline is { } figure)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Y(figure):0.0}\" y2=\"{Y(figure):0.0}\" stroke=\"#2ca02c\" stroke-dasharray=\"6 4\" stroke-width=\"2\"/>\n");
            legend.Add((string.Create(CultureInfo.InvariantCulture, $"offline adaptive ({figure:0.000})"), "#2ca02c", "6 4"));
        }

        Line(svg, [.. windows.Select((w, i) => (X(i), Y(w.Default)))], "#7f7f7f", "2 3");
        legend.Add(("default score", "#7f7f7f", "2 3"));
        Line(svg, [.. windows.Select((w, i) => (X(i), Y(w.Live)))], "#1f77b4", null);
        legend.Add(("live adaptive router", "#1f77b4", null));
        for (int i = 0; i < legend.Count; i++)
        {
            double y = Top + 10 + (i * 22);
            string dash = legend[i].Dash is { } d ? $" stroke-dasharray=\"{d}\"" : string.Empty;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + plotWidth + 15}\" x2=\"{Left + plotWidth + 45}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{legend[i].Color}\" stroke-width=\"2\"{dash}/><text x=\"{Left + plotWidth + 52}\" y=\"{y + 4}\">{legend[i].Label}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Line(StringBuilder svg, (double X, double Y)[] points, string color, string? dash)
    {
        string d = string.Join(' ', points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{p.X:0.0},{p.Y:0.0}")));
        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"")}/>\n");
        foreach ((double x, double y) in points)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x:0.0}\" cy=\"{y:0.0}\" r=\"3\" fill=\"{color}\"/>\n");
        }
    }
}
