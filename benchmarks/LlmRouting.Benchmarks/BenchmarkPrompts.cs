using Microsoft.Extensions.AI;

namespace LlmRouting.Benchmarks;

/// <summary>Deterministic prompts and route utterances for the strategy benchmarks.</summary>
internal static class BenchmarkPrompts
{
    private static readonly string[] Vocabulary =
    [
        "refactor", "service", "invoice", "database", "query", "translate", "summarise", "contract", "payment", "refund",
        "kubernetes", "deploy", "latency", "customer", "order", "shipping", "password", "account", "report", "quarterly",
        "revenue", "forecast", "theorem", "prove", "integral", "poem", "story", "email", "schedule", "meeting",
        "error", "exception", "stack", "trace", "memory", "leak", "thread", "async", "cache", "index",
    ];

    /// <summary>Plain text of exactly <paramref name="bytes"/> ASCII characters, built from sentences an assistant would see.</summary>
    public static string Text(int bytes) => Text(bytes, "Could you look at why the quarterly revenue report for our customers shows a drop, and suggest what to check next? ");

    /// <summary>Another text of exactly <paramref name="bytes"/> characters (other words): alternating two texts defeats any memo of the last one.</summary>
    public static string OtherText(int bytes) => Text(bytes, "Please explain how our shipping schedule for large orders changed this month, and which accounts were affected most. ");

    private static string Text(int bytes, string sentence) => string.Concat(Enumerable.Repeat(sentence, (bytes / sentence.Length) + 1))[..bytes];

    /// <summary><paramref name="routes"/> routes of <paramref name="perRoute"/> utterances each, seeded so every run embeds the same text.</summary>
    public static List<(string Name, string[] Utterances)> Routes(int routes, int perRoute)
    {
        var random = new Random(42);
        var result = new List<(string, string[])>(routes);
        for (int r = 0; r < routes; r++)
        {
            string[] utterances = new string[perRoute];
            for (int u = 0; u < perRoute; u++)
            {
                int words = random.Next(6, 14);
                utterances[u] = string.Join(' ', Enumerable.Range(0, words).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
            }

            result.Add(($"route-{r}", utterances));
        }

        return result;
    }

    /// <summary>Two targets served by <see cref="NullChatClient"/>s.</summary>
    public static TargetRegistry Registry(out NullChatClient premium, out NullChatClient economy)
    {
        premium = new NullChatClient();
        economy = new NullChatClient();
        return new TargetRegistry(
        [
            new RouteTarget("premium", premium, new TargetProfile { InputPricePerMillion = 2.50m, OutputPricePerMillion = 10m, ContextWindow = 128_000, Tier = QualityTier.Premium }),
            new RouteTarget("economy", economy, new TargetProfile { InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.60m, ContextWindow = 128_000, Tier = QualityTier.Economy, Tags = new HashSet<string>(["on-prem"], StringComparer.OrdinalIgnoreCase) }),
        ]);
    }

    public static List<ChatMessage> Messages(string text) => [new ChatMessage(ChatRole.User, text)];
}
