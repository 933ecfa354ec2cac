using LlmRouting.Analysis;

namespace LlmRouting.Strategies;

/// <summary>A named, ordered set of dense numeric features computed from the prompt text.</summary>
/// <remarks>
/// The set's <see cref="Name"/> and <see cref="FeatureNames"/> are written to the model file; loading a model
/// whose numeric features differ from what this build computes is rejected, so a model is never fed features
/// it was not trained on.
/// </remarks>
internal sealed class NumericFeatureSet
{
    /// <summary>The text statistics set: cheap counts over the characters and words.</summary>
    public static readonly NumericFeatureSet TextStatistics = new(
        "text-stats-v1",
        ["log_chars", "log_words", "digit_ratio", "upper_ratio", "symbol_ratio", "math_symbol_ratio", "mean_word_length", "long_word_ratio", "log_lines"],
        WriteTextStatistics);

    /// <summary>The text statistics followed by the request analyzer's features (<see cref="RequestAnalysis.FeatureNames"/>, prefixed <c>analysis_</c>).</summary>
    public static readonly NumericFeatureSet TextAndAnalysis = new(
        "text-stats-v1+request-analysis-v1",
        [.. TextStatistics.FeatureNames, .. RequestAnalysis.FeatureNames.Select(n => "analysis_" + n)],
        WriteTextAndAnalysis);

    private readonly Writer _writer;

    private NumericFeatureSet(string name, string[] featureNames, Writer writer)
    {
        Name = name;
        FeatureNames = featureNames;
        _writer = writer;
    }

    /// <summary>Writes the features of a text into a destination of <see cref="Count"/> floats.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">The destination.</param>
    public delegate void Writer(ReadOnlySpan<char> text, Span<float> destination);

    /// <summary>Gets the sets this build knows, by name.</summary>
    public static IReadOnlyList<NumericFeatureSet> Known { get; } = [TextStatistics, TextAndAnalysis];

    /// <summary>Gets the set's versioned name.</summary>
    public string Name { get; }

    /// <summary>Gets the feature names, in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Gets the number of features.</summary>
    public int Count => FeatureNames.Count;

    /// <summary>Finds a known set by name.</summary>
    /// <param name="name">The set name.</param>
    /// <returns>The set, or <see langword="null"/>.</returns>
    public static NumericFeatureSet? Find(string name)
    {
        foreach (NumericFeatureSet set in Known)
        {
            if (string.Equals(set.Name, name, StringComparison.Ordinal))
            {
                return set;
            }
        }

        return null;
    }

    /// <summary>Writes the raw (unstandardised) features.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">At least <see cref="Count"/> floats.</param>
    public void Write(ReadOnlySpan<char> text, Span<float> destination) => _writer(text, destination[..Count]);

    private static void WriteTextAndAnalysis(ReadOnlySpan<char> text, Span<float> destination)
    {
        int k = TextStatistics.Count;
        WriteTextStatistics(text, destination[..k]);
        RequestAnalyzer.Default.AnalyzeText(text).WriteFeatures(destination[k..]);
    }

    private static void WriteTextStatistics(ReadOnlySpan<char> text, Span<float> destination)
    {
        int digits = 0, upper = 0, symbols = 0, math = 0, words = 0, wordChars = 0, longWords = 0, lines = 1, current = 0;
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current++;
                if (char.IsDigit(c))
                {
                    digits++;
                }
                else if (char.IsUpper(c))
                {
                    upper++;
                }

                continue;
            }

            if (current > 0)
            {
                words++;
                wordChars += current;
                longWords += current >= 10 ? 1 : 0;
                current = 0;
            }

            if (c == '\n')
            {
                lines++;
            }
            else if (!char.IsWhiteSpace(c))
            {
                symbols++;
                if (c is '=' or '+' or '-' or '*' or '/' or '^' or '<' or '>' or '(' or ')' or '√' or '∫' or '∑' or 'π')
                {
                    math++;
                }
            }
        }

        if (current > 0)
        {
            words++;
            wordChars += current;
            longWords += current >= 10 ? 1 : 0;
        }

        float length = Math.Max(1, text.Length);
        destination[0] = MathF.Log(1 + text.Length);
        destination[1] = MathF.Log(1 + words);
        destination[2] = digits / length;
        destination[3] = upper / length;
        destination[4] = symbols / length;
        destination[5] = math / length;
        destination[6] = words == 0 ? 0 : (float)wordChars / words;
        destination[7] = words == 0 ? 0 : (float)longWords / words;
        destination[8] = MathF.Log(lines);
    }
}
