using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Analysis;
using LlmRouting.Caching;
using LlmRouting.Filtering;
using LlmRouting.Resilience;
using LlmRouting.Strategies;

namespace LlmRouting.Tests;

/// <summary>
/// The guarantee, adversarially: generated personal data (and the other sensitivity triggers) × every message part ×
/// every path a request's text can take — primary, fallback, hedging, escalation, continuation, panic, the judge,
/// embedding routes, the semantic cache — never reaches a destination that is not allowed to receive it.
/// </summary>
public class SensitiveDestinationTests
{
    public static TheoryData<string> Paths() => ["primary", "fallback", "hedging", "escalation", "streaming-fallback", "judge", "judge-target", "embedding-routes", "semantic-cache"];

    /// <summary>Destinations of one router: the allowed on-premises target and every disallowed destination.</summary>
    private sealed class Rig : IDisposable
    {
        public required ServiceProvider Provider { get; init; }

        public required IChatClient Chat { get; init; }

        public required TestChatClient Cloud { get; init; }

        public required TestChatClient OnPrem { get; init; }

        public TestChatClient? Judge { get; init; }

        public RecordingEmbeddingGenerator? Embedder { get; init; }

        public HashSet<string> KnownEmbedderInputs { get; } = [];

        /// <summary>How many times any disallowed destination has been reached.</summary>
        public int DisallowedCalls => Cloud.Calls + (Judge?.Calls ?? 0) + (Embedder?.Inputs.Count(i => !KnownEmbedderInputs.Contains(i)) ?? 0);

        public void Dispose() => Provider.Dispose();
    }

    private static Rig Build(string path)
    {
        var cloud = new TestChatClient("cloud");
        var onPrem = new TestChatClient("on-prem");
        TestChatClient? judge = path == "judge" ? new TestChatClient("judge") { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "PREMIUM"))) } : null;
        RecordingEmbeddingGenerator? embedder = path is "embedding-routes" or "semantic-cache" ? new RecordingEmbeddingGenerator() : null;
        string[] utterances = ["summarise what we have", "please summarise the conversation", "look it up"];

        switch (path)
        {
            case "fallback" or "streaming-fallback":
                onPrem.GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable);
                onPrem.GetStreamingResponseAsyncCallback = (_, _, _) => Streams.FailBeforeTheFirstUpdate(new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable));
                break;
            case "hedging":
                onPrem.GetResponseAsyncCallback = async (_, _, ct) =>
                {
                    await Task.Delay(80, ct);
                    return new ChatResponse(new ChatMessage(ChatRole.Assistant, "slow but allowed"));
                };
                break;
            case "escalation":
                onPrem.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "not json at all")) { FinishReason = ChatFinishReason.Stop });
                break;
        }

        var services = new ServiceCollection();
        ChatClientBuilder pipeline = services.AddLlmRouter(r =>
        {
            r.AddTarget("cloud", cloud, t => t.Tier(QualityTier.Premium).Prices(2.5m, 10m).Supports(ModelCapabilities.JsonSchema | ModelCapabilities.Tools))
             .AddTarget("on-prem", onPrem, t => t.Tags("on-prem").Tier(QualityTier.Economy).Prices(0.1m, 0.4m).Supports(ModelCapabilities.JsonSchema | ModelCapabilities.Tools))
             .Default("cloud")
             .UseDataPolicy(p =>
             {
                 p.AllowedTargetTags.Add("on-prem");
                 p.SensitiveRequestTags.Add("confidential");
                 p.Domains = RiskDomains.Medical;
             });
            switch (path)
            {
                case "primary":
                    r.UseRules(rules => rules.When(_ => true).RouteTo("cloud"));
                    break;
                case "fallback" or "streaming-fallback":
                    r.UseRules(rules => rules.When(_ => true).RouteTo("on-prem", "cloud"))
                     .UseFallback(o => { o.Resilience.EnableRetry = false; o.Resilience.EnableCircuitBreaker = false; o.TryRemainingCandidates = true; o.LastResort.Add("cloud"); });
                    break;
                case "hedging":
                    r.UseRules(rules => rules.When(_ => true).RouteTo("on-prem", "cloud"))
                     .UseFallback(o => { o.Resilience.EnableRetry = false; o.Hedging.Enabled = true; o.Hedging.InitialDelay = TimeSpan.FromMilliseconds(1); o.Hedging.MinimumDelay = TimeSpan.FromMilliseconds(1); o.TryRemainingCandidates = true; });
                    break;
                case "escalation":
                    r.UseEscalation().UseJsonSchemaEscalation()
                     .UseFallback(o => { o.Resilience.EnableRetry = false; o.TryRemainingCandidates = true; });
                    break;
                case "judge":
                    r.UseJudge(judge!);
                    break;
                case "judge-target":
                    r.UseJudge(j => j.Target = "cloud");
                    break;
                case "embedding-routes":
                    r.UseEmbeddingRoutes(o =>
                    {
                        o.Generator = embedder;
                        o.Threshold = 0;
                        o.AddRoute("cloud", utterances);
                    });
                    break;
            }
        });

        if (path == "semantic-cache")
        {
            pipeline.UseSemanticCache(embedder);
        }

        ServiceProvider provider = services.BuildServiceProvider();
        var rig = new Rig { Provider = provider, Chat = provider.GetRequiredService<IChatClient>(), Cloud = cloud, OnPrem = onPrem, Judge = judge, Embedder = embedder };
        rig.KnownEmbedderInputs.UnionWith(utterances);
        return rig;
    }

    /// <summary>The sensitivity triggers besides personal data: a configured sensitive tag and a configured risk domain.</summary>
    private static readonly (string Name, Func<(List<ChatMessage>, ChatOptions)> Request)[] OtherTriggers =
    [
        ("tag", () => ([new ChatMessage(ChatRole.User, "Please summarise what we have so far.")], new ChatOptions { AdditionalProperties = new() { ["tags"] = "confidential" } })),
        ("domain", () => ([new ChatMessage(ChatRole.User, "Please summarise my diagnosis, the medication dosage and the symptoms my doctor listed.")], new ChatOptions())),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Property_SensitiveRequests_NeverReachADisallowedDestination(string path)
    {
        var random = new Random(path.GetHashCode(StringComparison.Ordinal) ^ 14);
        using Rig rig = Build(path);
        var requests = new List<(string Label, List<ChatMessage> Messages, ChatOptions Options)>();
        for (int round = 0; round < 2; round++)
        {
            foreach (PersonalData.Sample sample in PersonalData.All(random))
            {
                string part = PersonalData.Parts[random.Next(PersonalData.Parts.Length)];
                (List<ChatMessage> messages, ChatOptions options) = PersonalData.Place(sample.Text, part);
                requests.Add(($"{sample} in {part}", messages, options));
            }
        }

        foreach ((string name, Func<(List<ChatMessage>, ChatOptions)> make) in OtherTriggers)
        {
            (List<ChatMessage> messages, ChatOptions options) = make();
            requests.Add(($"trigger {name}", messages, options));
        }

        foreach ((string label, List<ChatMessage> messages, ChatOptions options) in requests)
        {
            if (path == "escalation")
            {
                options.ResponseFormat = ChatResponseFormat.Json;
            }

            int before = rig.DisallowedCalls;
            bool streaming = path == "streaming-fallback" || random.Next(2) == 0;
            try
            {
                if (streaming)
                {
                    await Streams.ReadAllAsync(rig.Chat.GetStreamingResponseAsync(messages, options));
                }
                else
                {
                    await rig.Chat.GetResponseAsync(messages, options);
                }
            }
            catch (HttpRequestException) when (path is "fallback" or "streaming-fallback")
            {
                // The only allowed target failed: the request fails rather than leak.
            }

            Assert.True(rig.DisallowedCalls == before, $"{path}: {label} reached a disallowed destination.");
        }

        Assert.True(rig.OnPrem.Calls > 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Control_OrdinaryRequests_StillUseEveryDestination(string path)
    {
        using Rig rig = Build(path);
        var options = new ChatOptions();
        if (path == "escalation")
        {
            options.ResponseFormat = ChatResponseFormat.Json;
        }

        try
        {
            await rig.Chat.GetResponseAsync([new ChatMessage(ChatRole.User, "Please summarise the conversation so far.")], options);
        }
        catch (HttpRequestException) when (path is "fallback" or "streaming-fallback")
        {
        }

        // The guarantee binds sensitive requests only: the destinations are reachable, so the property above can fail.
        Assert.True(rig.DisallowedCalls > 0 || path is "escalation", $"{path}: no disallowed destination was used for an ordinary request.");
    }

    [Fact]
    public async Task Continuation_NeverMovesAnOnPremPartialAnswerWithPersonalData_ToTheCloud()
    {
        var onPrem = new TestChatClient("on-prem") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The account holder is ", "jane.doe@example.com", " and"], new IOException("reset"), ct) };
        var cloud = new TestChatClient("cloud") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" more."], null, ct) };
        using ServiceProvider provider = BuildContinuation(onPrem, cloud);
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        StreamInterruptedException ex = await Assert.ThrowsAsync<StreamInterruptedException>(
            () => Streams.ReadAllAsync(chat.GetStreamingResponseAsync("Who holds the account?")));

        Assert.Equal(0, cloud.Calls);
        Assert.Contains(ContinuationGuard.Refusal, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Continuation_OfAnOrdinaryPartialAnswer_StillMovesOn()
    {
        var onPrem = new TestChatClient("on-prem") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words(["The answer", " is"], new IOException("reset"), ct) };
        var cloud = new TestChatClient("cloud") { GetStreamingResponseAsyncCallback = (_, _, ct) => Words([" forty-two."], null, ct) };
        using ServiceProvider provider = BuildContinuation(onPrem, cloud);

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(provider.GetRequiredService<IChatClient>().GetStreamingResponseAsync("What is the answer?"));

        Assert.Equal("The answer is forty-two.", updates.ToChatResponse().Text);
        Assert.Equal(1, cloud.Calls);
    }

    [Fact]
    public async Task Panic_WhenEveryCircuitIsOpen_DoesNotOpenTheCloudToSensitiveRequests()
    {
        var cloud = new TestChatClient("cloud") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down", null, HttpStatusCode.BadGateway) };
        var onPrem = new TestChatClient("on-prem") { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down", null, HttpStatusCode.BadGateway) };
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("cloud", cloud)
            .AddTarget("on-prem", onPrem, t => t.Tags("on-prem"))
            .Default("cloud")
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .UseFallback(o =>
            {
                o.Resilience.EnableRetry = false;
                o.Resilience.CircuitBreaker.MinimumThroughput = 2;
                o.TryRemainingCandidates = true;
            }));
        using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        for (int i = 0; i < 4; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => chat.GetResponseAsync("plain question"));
        }

        Assert.All(provider.GetRequiredService<TargetHealthMonitor>().GetSnapshot(), h => Assert.Equal(Polly.CircuitBreaker.CircuitState.Open, h.State));
        cloud.GetResponseAsyncCallback = new TestChatClient("cloud").GetResponseAsyncCallback;
        onPrem.GetResponseAsyncCallback = new TestChatClient("on-prem").GetResponseAsyncCallback;
        int cloudBefore = cloud.Calls;

        var random = new Random(9);
        foreach (PersonalData.Sample sample in PersonalData.All(random))
        {
            (List<ChatMessage> messages, ChatOptions options) = PersonalData.Place(sample.Text, PersonalData.Parts[random.Next(PersonalData.Parts.Length)]);
            try
            {
                await chat.GetResponseAsync(messages, options);
            }
            catch (Exception ex) when (ex is NoRouteAvailableException or Polly.CircuitBreaker.BrokenCircuitException or HttpRequestException)
            {
                // Refused or failed on the allowed target: never sent elsewhere.
            }
        }

        Assert.Equal(cloudBefore, cloud.Calls);
    }

    [Fact]
    public async Task Judge_SkipsEveryTrigger_NotOnlyPersonalDataAndTheLiteralSensitiveTag()
    {
        var judge = new TestChatClient("judge");
        var strategy = new JudgeStrategy(judge, sensitivity: new SensitivityPolicy(new DataPolicyOptions { SensitiveRequestTags = { "confidential" }, Domains = RiskDomains.Legal }));
        var registry = new TargetRegistry([new RouteTarget("a", new TestChatClient("a"), new TargetProfile { Tier = QualityTier.Economy })]);
        RouteCandidates candidates = RouteCandidates.All(registry);

        await strategy.DecideAsync(new RoutingRequest("Summarise this", new ChatOptions { AdditionalProperties = new() { ["tags"] = "confidential" } }), candidates, default);
        await strategy.DecideAsync(new RoutingRequest("Review the liability clause of my contract before the lawsuit and court hearing"), candidates, default);
        await strategy.DecideAsync(new RoutingRequest([new ChatMessage(ChatRole.User, "Summarise")], new ChatOptions { Instructions = "Customer: jane@example.com" }), candidates, default);
        Assert.Equal(0, judge.Calls);

        await strategy.DecideAsync(new RoutingRequest("Summarise this"), candidates, default);
        Assert.Equal(1, judge.Calls);
    }

    [Fact]
    public async Task Judge_DeclaredAllowed_ReceivesSensitiveRequests()
    {
        var judge = new TestChatClient("judge");
        var strategy = new JudgeStrategy(judge, new JudgeOptions { SkipSensitive = false });
        var registry = new TargetRegistry([new RouteTarget("a", new TestChatClient("a"), new TargetProfile())]);

        await strategy.DecideAsync(new RoutingRequest("mail jane@example.com"), RouteCandidates.All(registry), default);

        Assert.Equal(1, judge.Calls);
    }

    [Fact]
    public async Task EmbeddingRoutes_ALocalOrDeclaredGenerator_StillRoutesSensitiveRequests()
    {
        var registry = new TargetRegistry([new RouteTarget("billing", new TestChatClient("billing"), new TargetProfile())]);
        var local = new EmbeddingRoutingStrategy(new EmbeddingRoutingOptions { Threshold = 0 }.AddRoute("billing", ["my card was charged twice"]));
        var recording = new RecordingEmbeddingGenerator();
        var declared = new EmbeddingRoutingStrategy(new EmbeddingRoutingOptions { Threshold = 0, GeneratorAllowsSensitiveData = true }.AddRoute("billing", ["my card was charged twice"]), recording);
        var undeclared = new EmbeddingRoutingStrategy(new EmbeddingRoutingOptions { Threshold = 0 }.AddRoute("billing", ["my card was charged twice"]), new RecordingEmbeddingGenerator());
        var request = new RoutingRequest("my card 4111 1111 1111 1111 was charged twice");

        Assert.NotNull(await local.DecideAsync(request, RouteCandidates.All(registry), default));
        Assert.NotNull(await declared.DecideAsync(request, RouteCandidates.All(registry), default));
        Assert.Contains(request.LastUserText, recording.Inputs);
        Assert.Null(await undeclared.DecideAsync(request, RouteCandidates.All(registry), default));
    }

    private static ServiceProvider BuildContinuation(TestChatClient onPrem, TestChatClient cloud)
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("on-prem", onPrem, t => t.Tags("on-prem").Tier(QualityTier.Premium))
            .AddTarget("cloud", cloud, t => t.Tier(QualityTier.Economy))
            .Default("on-prem")
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .UseFallback(o =>
            {
                o.Resilience.EnableRetry = false;
                o.Continuation.Enabled = true;
                o.TryRemainingCandidates = true;
            }));
        return services.BuildServiceProvider();
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Words(string[] words, Exception? failure, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (string word in words)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word) { MessageId = "m1" };
        }

        if (failure is not null)
        {
            throw failure;
        }

        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop };
    }
}
