using System.Text;
using LlmRouting.Embeddings;
using LlmRouting.Tests.Embedding.Reference;

namespace LlmRouting.Tests.Embedding;

/// <summary>
/// The windowed, vectorised embedder gives bit for bit the vector of the word-by-word embedder it replaced
/// (<see cref="ReferenceEmbedder"/>, kept verbatim) on a large generated corpus: words of every length around the
/// 64-character window and truncation limits, stop words in every case, digits, non-ASCII letters and case mappings,
/// the boundary markers '^' and '$' as text, and every dimension size.
/// </summary>
public sealed class EmbeddingEquivalenceTests
{
    private static readonly string[] Words =
    [
        "a", "A", "the", "The", "THE", "please", "Please", "should", "shoulder", "into", "intox", "about", "i", "I", "x", "ab", "AB", "refund", "Invoice",
        "kubernetes", "x1", "h2o", "abc123def", "2024", "42", "Quarterly", "naïve", "café", "Straße", "İstanbul", "KELVIN", "\u212Aelvin", "привет", "日本語",
        "ǅemal", "ΣΊΣΥΦΟΣ", "ﬁne", "Ⅻ", "٣٤٥", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl",
    ];

    private static readonly string[] Separators =
    [
        " ", " ", " ", "  ", "\t", "\n", "\r\n", ". ", ", ", "; ", "! ", "?", "'", "-", "_", "^", "$", "^$", "@", "#", "`", "[", "]", "{", "}", "/", "\\", "\u00A0", "\u200B", "😀", "\uD800", "—", "é",
    ];

    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void GeneratedCorpus_GivesTheReferenceVector_BitForBit(int seed)
    {
        var random = new Random(seed);
        int[] dimensions = [32, 256, 1024];
        for (int n = 0; n < 1_000; n++)
        {
            string text = Generate(random, random.Next(0, 120));
            int size = dimensions[random.Next(dimensions.Length)];
            AssertSameBits(ReferenceEmbedder.Embed(text, size), new LocalEmbeddingGenerator(size).Embed(text), $"seed {seed}, text {n}, {size} dimensions: \"{text}\"");
        }
    }

    [Fact]
    public void WordsAroundTheWindowAndTruncationLimits_GiveTheReferenceVector()
    {
        var embedder = new LocalEmbeddingGenerator();
        for (int before = 0; before < 70; before++)
        {
            for (int length = 1; length < 140; length += length < 70 ? 1 : 7)
            {
                // A word of every length starting at every offset of the first window, then a second word.
                string text = new string('x', before) + (before > 0 ? " " : string.Empty) + new string('Q', length) + " tail words after it";
                AssertSameBits(ReferenceEmbedder.Embed(text, 256), embedder.Embed(text), $"{before} then {length}");
                string nonAscii = text.Replace("QQ", "Qé", StringComparison.Ordinal);
                AssertSameBits(ReferenceEmbedder.Embed(nonAscii, 256), embedder.Embed(nonAscii), $"{before} then {length}, non-ASCII");
            }
        }
    }

    [Fact]
    public void RealisticPrompts_GiveTheReferenceVector()
    {
        string[] prompts =
        [
            "Could you look at why the quarterly revenue report for our customers shows a drop, and suggest what to check next?",
            "```csharp\npublic int Sum(int[] xs) { return xs.Sum(); }\n```\nWhy does this throw a NullReferenceException?",
            "Pay with 4111 1111 1111 1111 12/28 123, IBAN DE89 3704 0044 0532 0130 00, mail jane.doe@example.com.",
            string.Concat(Enumerable.Repeat("Please explain how our shipping schedule for large orders changed this month, and which accounts were affected most. ", 150)),
            string.Empty,
            "   ",
        ];

        foreach (string prompt in prompts)
        {
            AssertSameBits(ReferenceEmbedder.Embed(prompt, 256), LocalEmbeddingGenerator.Default.Embed(prompt), prompt);
        }
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: dimension {i} is {actual[i]:R}, the reference gives {expected[i]:R}");
            }
        }
    }

    private static string Generate(Random random, int pieces)
    {
        var text = new StringBuilder();
        for (int p = 0; p < pieces; p++)
        {
            int kind = random.Next(10);
            if (kind < 6)
            {
                string word = Words[random.Next(Words.Length)];
                text.Append(random.Next(5) switch
                {
                    0 => word.ToUpperInvariant(),
                    1 => word[..random.Next(1, word.Length + 1)],
                    _ => word,
                });
            }
            else if (kind < 9)
            {
                text.Append(Separators[random.Next(Separators.Length)]);
            }
            else
            {
                // A run of letters and digits of any length, up to past two windows.
                int length = random.Next(1, 150);
                for (int i = 0; i < length; i++)
                {
                    text.Append("aZ9qé"[random.Next(random.Next(8) == 0 ? 5 : 4)]);
                }
            }
        }

        return text.ToString();
    }
}
