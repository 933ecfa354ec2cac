using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.AI;
using LlmRouting.Embeddings;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>A long user turn is embedded by its beginning and end (<see cref="EmbeddingRoutingOptions.MaxEmbeddedCharacters"/>).</summary>
public class EmbeddedWindowTests
{
    private const string Instruction = "Now please fix this null reference exception in my C# code.";

    private static TargetRegistry Registry() => new(
    [
        new RouteTarget("billing", new TestChatClient("billing"), new TargetProfile()),
        new RouteTarget("coder", new TestChatClient("coder"), new TargetProfile()),
    ]);

    private static EmbeddingRoutingOptions Routes(int? maxEmbedded = EmbeddingRoutingOptions.DefaultMaxEmbeddedCharacters, IEmbeddingGenerator<string, Embedding<float>>? generator = null)
    {
        // Threshold −1: the strategy always decides, so its score can be compared.
        var options = new EmbeddingRoutingOptions { Threshold = -1, MaxEmbeddedCharacters = maxEmbedded, Generator = generator };
        options.AddRoute("billing", ["I was charged twice on my invoice", "refund my payment", "update my credit card billing details"], "billing");
        options.AddRoute("coder", ["fix this null reference exception in my C# code", "write a python function to parse json", "my unit test fails with a stack trace"], "code");
        return options;
    }

    /// <summary>Prose about nothing the routes know, <paramref name="chars"/> characters long, ending at a word.</summary>
    private static string Document(int chars)
    {
        string[] words = ["the", "river", "valley", "harvest", "autumn", "village", "mountain", "weather", "festival", "orchard", "meadow", "lantern"];
        var text = new StringBuilder(chars + 16);
        var random = new Random(7);
        while (text.Length < chars)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(9) == 0 ? ". " : " ");
        }

        return text.ToString(0, chars).TrimEnd() + " ";
    }

    private static async Task<RouteDecision?> Decide(EmbeddingRoutingStrategy strategy, string text) =>
        await strategy.DecideAsync(new RoutingRequest(text), RouteCandidates.All(Registry()), default);

    [Fact]
    public async Task AGenerator_ReceivesAShortTurnWhole_AndALongOneAsItsBeginningAndEnd()
    {
        var generator = new RecordingGenerator();
        var strategy = new EmbeddingRoutingStrategy(Routes(generator: generator));
        await strategy.WarmUpAsync();
        string shortTurn = Document(2_000);
        string longTurn = Document(20_000) + Instruction;

        _ = await Decide(strategy, shortTurn);
        _ = await Decide(strategy, longTurn);

        Assert.Equal([shortTurn], generator.Queries.Take(1));
        string window = generator.Queries.Skip(1).Single();
        int join = window.IndexOf('\n', StringComparison.Ordinal);
        string head = window[..join], tail = window[(join + 1)..];
        Assert.StartsWith(head, longTurn, StringComparison.Ordinal);
        Assert.EndsWith(tail, longTurn, StringComparison.Ordinal);
        Assert.EndsWith(Instruction, tail, StringComparison.Ordinal);
        Assert.InRange(head.Length, 1_024 - 64, 1_024);
        Assert.InRange(tail.Length, 1_024 - 64, 1_024);
        Assert.False(char.IsLetterOrDigit(longTurn[head.Length - 1]) && char.IsLetterOrDigit(longTurn[head.Length]));
        int tailStart = longTurn.Length - tail.Length;
        Assert.False(char.IsLetterOrDigit(longTurn[tailStart - 1]) && char.IsLetterOrDigit(longTurn[tailStart]));
    }

    [Fact]
    public async Task WithoutALimit_TheWholeTurnIsEmbedded()
    {
        var generator = new RecordingGenerator();
        var strategy = new EmbeddingRoutingStrategy(Routes(maxEmbedded: null, generator: generator));
        string longTurn = Document(20_000) + Instruction;

        _ = await Decide(strategy, longTurn);

        Assert.Equal([longTurn], generator.Queries);
    }

    [Fact]
    public async Task TheLocalEmbedder_EmbedsTheSameWindowAGeneratorReceives()
    {
        var generator = new RecordingGenerator();
        string longTurn = Document(12_345) + Instruction;
        _ = await Decide(new EmbeddingRoutingStrategy(Routes(generator: generator)), longTurn);
        string window = Assert.Single(generator.Queries);

        RouteDecision local = (await Decide(new EmbeddingRoutingStrategy(Routes()), longTurn))!;
        RouteDecision whole = (await Decide(new EmbeddingRoutingStrategy(Routes(maxEmbedded: null)), window))!;

        Assert.Equal(whole.Score, local.Score);
        Assert.Equal(whole.Primary.Name, local.Primary.Name);
        Assert.NotEqual(whole.Score, (await Decide(new EmbeddingRoutingStrategy(Routes(maxEmbedded: null)), longTurn))!.Score);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1_000)]
    [InlineData(2_048)]
    public void ATextOfTheLimit_IsNotCut_OneCharacterMoreIs(int limit)
    {
        string text = Document(limit + 200)[..limit];

        Assert.False(EmbeddedWindow.TryCut(text, limit, out _, out _));
        Assert.True(EmbeddedWindow.TryCut(text + "x", limit, out int headEnd, out int tailStart));
        Assert.True(headEnd <= limit / 2 && tailStart >= text.Length + 1 - (limit - (limit / 2)));
    }

    [Fact]
    public void AWordLongerThanTheShift_IsCutWhereItIs_ButNeverInsideASurrogatePair()
    {
        string letters = new('a', 5_000);
        Assert.True(EmbeddedWindow.TryCut(letters, 2_048, out int headEnd, out int tailStart));
        Assert.Equal((1_024, 5_000 - 1_024), (headEnd, tailStart));

        // Emoji (surrogate pairs) everywhere: both cuts fall between pairs.
        string emoji = string.Concat(Enumerable.Repeat("\U0001F600", 2_000));
        for (int limit = 256; limit < 300; limit++)
        {
            Assert.True(EmbeddedWindow.TryCut(emoji, limit, out headEnd, out tailStart));
            Assert.False(char.IsLowSurrogate(emoji[headEnd]) && char.IsHighSurrogate(emoji[headEnd - 1]), $"head cut at {headEnd}");
            Assert.False(char.IsLowSurrogate(emoji[tailStart]) && char.IsHighSurrogate(emoji[tailStart - 1]), $"tail cut at {tailStart}");
            char[] window = new char[headEnd + 1 + emoji.Length - tailStart];
            Assert.Equal(window.Length, EmbeddedWindow.Write(emoji, headEnd, tailStart, window));
            Assert.Equal(emoji[..headEnd] + "\n" + emoji[tailStart..], new string(window));
        }
    }

    /// <summary>Records every query it embeds (the routes' batch is not recorded) and embeds with the local generator.</summary>
    private sealed class RecordingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly ConcurrentQueue<string> _queries = new();
        private bool _routesSeen;

        public IEnumerable<string> Queries => _queries;

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            string[] texts = [.. values];
            if (_routesSeen)
            {
                foreach (string text in texts)
                {
                    _queries.Enqueue(text);
                }
            }

            _routesSeen = true;
            return LocalEmbeddingGenerator.Default.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
