using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.AI;
using LlmRouting.Agents;

namespace LlmRouting.Benchmarks;

/// <summary>
/// A seeded simulation of multi-turn sessions (5–30 turns, 30 % hard turns, a third of the sessions with provider-side
/// state) through the real router, with and without conversation affinity; the fake providers price prompt caching
/// (a call on the target that served the session's previous call reads that call's prompt from cache).
/// Run: <c>dotnet run -c Release --project benchmarks/LlmRouting.Benchmarks -- --agents-simulation</c>.
/// </summary>
internal static class AgentSimulation
{
    private const int Sessions = 1_000;

    public static int Run()
    {
        Console.WriteLine("| affinity | turns | switches / session | continuity violations | hard turns below premium | cost | cost vs no affinity |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Result none = Simulate(null);
        foreach ((string name, ConversationAffinityMode? mode) in new (string, ConversationAffinityMode?)[] { ("off (per-turn routing)", null), ("Stay", ConversationAffinityMode.Stay), ("StayOrEscalate", ConversationAffinityMode.StayOrEscalate) })
        {
            Result r = mode is null ? none : Simulate(mode);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {r.Turns} | {(double)r.Switches / Sessions:0.00} | {r.Violations} | {r.HardBelowPremium} ({(double)r.HardBelowPremium / r.HardTurns:P1}) | {r.Cost:0.0000} | {r.Cost / none.Cost:P1} |"));
        }

        return 0;
    }

    private static Result Simulate(ConversationAffinityMode? mode)
    {
        var cache = new PromptCache();
        var builder = new LlmRouterBuilder()
            .AddTarget("economy", new CachingClient("economy", cache), t => t.Prices(0.15m, 0.60m, cachedInput: 0.075m).Tier(QualityTier.Economy).ContextWindow(1_000_000))
            .AddTarget("premium", new CachingClient("premium", cache), t => t.Prices(2.50m, 10m, cachedInput: 1.25m).Tier(QualityTier.Premium).ContextWindow(1_000_000))
            .Default("economy")
            .UseRules(r => r.When(q => q.Metadata("difficulty") == "hard", "hard").RouteTo("premium"))
            .UseAgentSessions();
        if (mode is { } m)
        {
            builder.UseConversationAffinity(o => o.Mode = m);
        }

        using LlmRouterChatClient router = builder.Build();
        var random = new Random(20261202);
        var result = new Result();
        string userText = string.Concat(Enumerable.Repeat("Please look at the figures from last quarter and tell me what changed. ", 12));
        string answer = string.Concat(Enumerable.Repeat("Revenue grew in two regions while costs stayed flat, mostly because of pricing. ", 15));
        for (int s = 0; s < Sessions; s++)
        {
            int turns = random.Next(5, 31);
            bool providerState = random.NextDouble() < 1.0 / 3;
            string session = $"session-{s}";
            var history = new List<ChatMessage>();
            string? previous = null;
            for (int t = 0; t < turns; t++)
            {
                bool hard = random.NextDouble() < 0.3;
                var options = new ChatOptions
                {
                    ConversationId = providerState ? session : null,
                    AdditionalProperties = new() { [RequestMetadataKeys.Session] = session, ["difficulty"] = hard ? "hard" : "easy" },
                };
                history.Add(new ChatMessage(ChatRole.User, userText));
                RouteInfo route = router.GetResponseAsync(history, options).GetAwaiter().GetResult().GetRouteInfo()!;
                history.Add(new ChatMessage(ChatRole.Assistant, answer));
                result.Turns++;
                result.HardTurns += hard ? 1 : 0;
                result.HardBelowPremium += hard && route.Target != "premium" ? 1 : 0;
                result.Cost += route.Cost ?? 0;
                if (previous is not null && previous != route.Target)
                {
                    result.Switches++;
                    result.Violations += providerState ? 1 : 0;
                }

                previous = route.Target;
            }
        }

        return result;
    }

    private sealed class Result
    {
        public int Turns { get; set; }

        public int HardTurns { get; set; }

        public int HardBelowPremium { get; set; }

        public int Switches { get; set; }

        public int Violations { get; set; }

        public decimal Cost { get; set; }
    }

    /// <summary>The provider side: what each session's last prompt on each target was (its prompt cache).</summary>
    private sealed class PromptCache
    {
        public ConcurrentDictionary<string, (string Target, long Tokens)> Last { get; } = new();
    }

    private sealed class CachingClient(string name, PromptCache cache) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            long input = messages.Sum(m => (m.Text.Length / 4) + 4);
            string session = (string)options!.AdditionalProperties![RequestMetadataKeys.Session]!;
            long cached = cache.Last.TryGetValue(session, out (string Target, long Tokens) last) && last.Target == name ? Math.Min(last.Tokens, input) : 0;
            cache.Last[session] = (name, input);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                Usage = new UsageDetails { InputTokenCount = input, CachedInputTokenCount = cached, OutputTokenCount = 300 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The simulation does not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
