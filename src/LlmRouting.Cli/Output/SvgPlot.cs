using System.Globalization;
using System.Text;
using System.Xml;
using LlmRouting.Cli.Evaluation;

namespace LlmRouting.Cli.Output;

/// <summary>Renders quality versus share of strong (premium) calls for the router, random, group oracle and oracle as a standalone SVG, sized so the legend fits.</summary>
internal static class SvgPlot
{
    private const double Height = 480;
    private const double Left = 70;
    private const double PlotWidth = 490;
    private const double LegendGap = 20;
    private const double LegendText = 36;
    private const double Top = 50;
    private const double Bottom = 60;

    /// <summary>A generous average advance of a 12 px sans-serif glyph, to size the canvas so no legend text is cut off.</summary>
    private const double GlyphWidth = 7;

    public static string Render(EvaluationResult result)
    {
        RoutingCurve router = result.Curve;
        double low = Math.Min(router.WeakQuality, router.StrongQuality);
        double high = Math.Max(router.StrongQuality, result.Oracle.Points.Max(p => p.Quality));
        low = Math.Floor((low - 0.01) * 20) / 20;
        high = Math.Ceiling((high + 0.01) * 20) / 20;

        (string Name, RoutingCurve Curve, string Color, string? Dash)[] series =
        [
            ("oracle", result.Oracle, "#2ca02c", null),
            .. result.GroupOracle is { } groupOracle ? [("group oracle", groupOracle, "#ff7f0e", "2 3")] : Array.Empty<(string, RoutingCurve, string, string?)>(),
            ("random", result.Random, "#7f7f7f", "6 4"),
            (result.Router, router, "#1f77b4", null),
        ];
        string[] legend = [.. series.Reverse().Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} (APGR {s.Curve.Apgr:0.000})"))];
        List<string> notes =
        [
            string.Create(CultureInfo.InvariantCulture, $"weak quality {router.WeakQuality:0.000}"),
            string.Create(CultureInfo.InvariantCulture, $"strong quality {router.StrongQuality:0.000}"),
            string.Create(CultureInfo.InvariantCulture, $"CPT(50%) {router.CallPerformanceThreshold(0.5):0.0%}"),
            string.Create(CultureInfo.InvariantCulture, $"CPT(80%) {router.CallPerformanceThreshold(0.8):0.0%}"),
        ];
        if (result.OperatingPoint is { } op)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"operating point: {op.PremiumShare:0.0%} premium, PGR {op.Pgr:0.000}, savings {op.Savings:0.0%}"));
        }

        if (result.Intervals is { } intervals)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"APGR {intervals.Level:0.#%} interval {intervals.Apgr.Lower:0.000}–{intervals.Apgr.Upper:0.000}"));
            notes.Add($"({intervals.Resamples} resamples of {intervals.Units} {intervals.Unit}s)");
        }

        string title = string.Create(CultureInfo.InvariantCulture, $"Quality vs share of premium calls: {result.Router} (APGR {router.Apgr:0.000})");
        double legendLeft = Left + PlotWidth + LegendGap;
        double width = Math.Ceiling(Math.Max(
            Math.Max(legendLeft + LegendText + (legend.Max(l => l.Length) * GlyphWidth), legendLeft + (notes.Max(n => n.Length) * GlyphWidth)),
            Left + (title.Length * GlyphWidth * 15 / 12)) + 10);

        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true }))
        {
            const string Ns = "http://www.w3.org/2000/svg";
            w.WriteStartElement("svg", Ns);
            w.WriteAttributeString("width", F(width));
            w.WriteAttributeString("height", F(Height));
            w.WriteAttributeString("viewBox", $"0 0 {F(width)} {F(Height)}");
            w.WriteAttributeString("font-family", "sans-serif");
            w.WriteAttributeString("font-size", "12");
            Rect(w, 0, 0, width, Height, "white");

            Text(w, Left, 28, title, "start", "15");

            double plotH = Height - Top - Bottom;
            double X(double share) => Left + (share * PlotWidth);
            double Y(double quality) => Top + plotH - ((quality - low) / (high - low) * plotH);

            // Grid and ticks.
            for (int i = 0; i <= 10; i++)
            {
                double share = i / 10.0;
                Line(w, X(share), Top, X(share), Top + plotH, "#e5e5e5", "1", null);
                Text(w, X(share), Top + plotH + 18, string.Create(CultureInfo.InvariantCulture, $"{i * 10}%"), "middle", null);
            }

            int ySteps = (int)Math.Round((high - low) / 0.05);
            for (int i = 0; i <= ySteps; i++)
            {
                double q = low + (i * 0.05);
                Line(w, Left, Y(q), Left + PlotWidth, Y(q), "#e5e5e5", "1", null);
                Text(w, Left - 8, Y(q) + 4, q.ToString("0.00", CultureInfo.InvariantCulture), "end", null);
            }

            Line(w, Left, Top + plotH, Left + PlotWidth, Top + plotH, "black", "1", null);
            Line(w, Left, Top, Left, Top + plotH, "black", "1", null);
            Text(w, Left + (PlotWidth / 2), Height - 18, "Share of calls to the premium (strong) model", "middle", "13");
            w.WriteStartElement("text", Ns);
            w.WriteAttributeString("x", "18");
            w.WriteAttributeString("y", F(Top + (plotH / 2)));
            w.WriteAttributeString("text-anchor", "middle");
            w.WriteAttributeString("font-size", "13");
            w.WriteAttributeString("transform", $"rotate(-90 18 {F(Top + (plotH / 2))})");
            w.WriteString("Quality (mean outcome)");
            w.WriteEndElement();

            foreach ((string _, RoutingCurve curve, string color, string? dash) in series)
            {
                var points = new StringBuilder();
                for (int i = 0; i <= 200; i++)
                {
                    double share = i / 200.0;
                    points.Append(CultureInfo.InvariantCulture, $"{X(share):0.##},{Y(curve.QualityAt(share)):0.##} ");
                }

                w.WriteStartElement("polyline", Ns);
                w.WriteAttributeString("fill", "none");
                w.WriteAttributeString("stroke", color);
                w.WriteAttributeString("stroke-width", "2");
                if (dash is not null)
                {
                    w.WriteAttributeString("stroke-dasharray", dash);
                }

                w.WriteAttributeString("points", points.ToString().TrimEnd());
                w.WriteEndElement();
            }

            if (result.OperatingPoint is { } point)
            {
                w.WriteStartElement("circle", Ns);
                w.WriteAttributeString("cx", F(X(point.PremiumShare)));
                w.WriteAttributeString("cy", F(Y(point.Quality)));
                w.WriteAttributeString("r", "6");
                w.WriteAttributeString("fill", "#d62728");
                w.WriteAttributeString("stroke", "black");
                w.WriteElementString("title", Ns, "operating point");
                w.WriteEndElement();
            }

            // Legend.
            double ly = Top + 10;
            foreach (((string _, RoutingCurve _, string color, string? dash), string label) in series.Reverse().Zip(legend))
            {
                Line(w, legendLeft, ly, legendLeft + 28, ly, color, "2", dash);
                Text(w, legendLeft + LegendText, ly + 4, label, "start", null);
                ly += 22;
            }

            ly += 10;
            foreach (string note in notes)
            {
                Text(w, legendLeft, ly, note, "start", null);
                ly += 18;
            }
            w.WriteEndElement();
        }

        return sb.ToString();
    }

    private static void Rect(XmlWriter w, double x, double y, double width, double height, string fill)
    {
        w.WriteStartElement("rect", "http://www.w3.org/2000/svg");
        w.WriteAttributeString("x", F(x));
        w.WriteAttributeString("y", F(y));
        w.WriteAttributeString("width", F(width));
        w.WriteAttributeString("height", F(height));
        w.WriteAttributeString("fill", fill);
        w.WriteEndElement();
    }

    private static void Line(XmlWriter w, double x1, double y1, double x2, double y2, string stroke, string width, string? dash)
    {
        w.WriteStartElement("line", "http://www.w3.org/2000/svg");
        w.WriteAttributeString("x1", F(x1));
        w.WriteAttributeString("y1", F(y1));
        w.WriteAttributeString("x2", F(x2));
        w.WriteAttributeString("y2", F(y2));
        w.WriteAttributeString("stroke", stroke);
        w.WriteAttributeString("stroke-width", width);
        if (dash is not null)
        {
            w.WriteAttributeString("stroke-dasharray", dash);
        }

        w.WriteEndElement();
    }

    private static void Text(XmlWriter w, double x, double y, string text, string anchor, string? size)
    {
        w.WriteStartElement("text", "http://www.w3.org/2000/svg");
        w.WriteAttributeString("x", F(x));
        w.WriteAttributeString("y", F(y));
        w.WriteAttributeString("text-anchor", anchor);
        if (size is not null)
        {
            w.WriteAttributeString("font-size", size);
        }

        w.WriteString(text);
        w.WriteEndElement();
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
