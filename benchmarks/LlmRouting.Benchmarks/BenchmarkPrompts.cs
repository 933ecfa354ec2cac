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

    /// <summary>
    /// Realistic prompt text of exactly <paramref name="chars"/> characters: a request in prose with constraints, a code
    /// block, a numbered and a bulleted list, figures and dates, an e-mail address and a phone number, repeated.
    /// </summary>
    public static string Mixed(int chars)
    {
        const string Prompt = """
            Hi team, our checkout service started failing after Tuesday's deploy (build 2024.11.3). Could you explain why the
            retry loop below never stops, and suggest a fix that must not change the public API? Keep it under 200 lines.

            ```csharp
            public async Task<Order> SubmitAsync(Order order, CancellationToken ct)
            {
                for (int attempt = 0; ; attempt++)
                {
                    try { return await _client.PostAsync(order, ct); }
                    catch (HttpRequestException) when (attempt < 3) { await Task.Delay(100 * attempt, ct); }
                }
            }
            ```

            What we know so far:
            1. Latency went from 120 ms to 2.4 s at p99; error rate is 3.5 % of 18,000 requests per hour.
            2. The customer who reported it is jane.doe@example.com, phone +1 (555) 123-4567.
            - Logs show "System.TimeoutException: The operation has timed out" at 09:42 UTC.
            - Memory stays flat at 512 MB, so it is not a leak.
            Then summarise the root cause in two sentences and list the steps to verify the fix.

            """;
        return string.Concat(Enumerable.Repeat(Prompt, (chars / Prompt.Length) + 1))[..chars];
    }

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
