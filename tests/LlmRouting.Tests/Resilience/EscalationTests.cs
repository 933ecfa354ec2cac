using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

public class EscalationTests
{
    private static (IChatClient Chat, ServiceProvider Provider) Build(TestChatClient economy, TestChatClient standard, TestChatClient premium, Action<IServiceCollection>? services = null, bool fallback = true, Action<EscalationOptions>? escalation = null, Action<FallbackOptions>? fallbackOptions = null)
    {
        var collection = new ServiceCollection();
        collection.AddKeyedChatClient("economy", economy);
        collection.AddKeyedChatClient("standard", standard);
        collection.AddKeyedChatClient("premium", premium);
        services?.Invoke(collection);
        collection.AddLlmRouter(r =>
        {
            r.AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy).Supports(ModelCapabilities.JsonSchema))
             .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium).Supports(ModelCapabilities.JsonSchema))
             .AddTarget("standard", t => t.Prices(0.50m, 2m).Tier(QualityTier.Standard).Supports(ModelCapabilities.JsonSchema))
             .Default("economy")
             .UseEscalation(escalation)
             .UseJsonSchemaEscalation();
            if (fallback)
            {
                r.UseFallback(o =>
                {
                    o.Resilience.EnableRetry = false;
                    fallbackOptions?.Invoke(o);
                });
            }
        });
        ServiceProvider provider = collection.BuildServiceProvider();
        return (provider.GetRequiredService<IChatClient>(), provider);
    }

    private static TestChatClient Answering(string name, string text, ChatFinishReason? finish = null, Task? gate = null, TaskCompletionSource? atGate = null) => new(name)
    {
        GetStreamingResponseAsyncCallback = (_, _, ct) => Stream(name, text, finish ?? ChatFinishReason.Stop, gate, ct, atGate),
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            FinishReason = finish ?? ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500, TotalTokenCount = 1500 },
        }),
    };

    public static TheoryData<string, ChatFinishReason?, string, bool> RejectedAnswers => new()
    {
        { "", null, "truncated: empty answer", false },
        { "", null, "truncated: empty answer", true },
        { "The first half of a long ans", ChatFinishReason.Length, "truncated: truncated at the output-token limit", false },
        { "The first half of a long ans", ChatFinishReason.Length, "truncated: truncated at the output-token limit", true },
        { "I'm sorry, but I can't help with that request.", null, "refusal: refusal", false },
        { "I'm sorry, but I can't help with that request.", null, "refusal: refusal", true },
    };

    /// <summary>Non-streamed, and streamed with <see cref="EscalationOptions.EvaluateStreams"/> (held back until complete): the same escalation.</summary>
    [Theory]
    [MemberData(nameof(RejectedAnswers))]
    public async Task RejectedAnswer_IsEscalatedOnceToTheNextHigherTier_WithBothCostsRecorded(string answer, ChatFinishReason? finish, string reason, bool streaming)
    {
        var economy = Answering("economy", answer, finish);
        var standard = Answering("standard", "A complete answer.");
        var premium = Answering("premium", "A premium answer.");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium, escalation: e => e.EvaluateStreams = true);
        using ServiceProvider _ = provider;

        RouteInfo route;
        if (streaming)
        {
            List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("Explain quantum tunnelling."));
            Assert.Equal("A complete answer.", updates.ToChatResponse().Text);
            Assert.All(updates, u => Assert.Equal("standard", u.ModelId)); // nothing of the rejected stream reached the caller
            route = updates[^1].GetRouteInfo()!;
        }
        else
        {
            ChatResponse response = await chat.GetResponseAsync("Explain quantum tunnelling.");
            Assert.Equal("A complete answer.", response.Text);
            route = response.GetRouteInfo()!;
        }

        Assert.True(route.IsEscalated);
        Assert.False(route.IsFallback);
        Assert.Equal("standard", route.Target);
        Assert.Equal(QualityTier.Standard, route.Tier);
        Assert.Equal(
            [("economy", RouteAttemptOutcome.Rejected, reason), ("standard", RouteAttemptOutcome.Succeeded, null)],
            route.Attempts.Select(a => (a.Target, a.Outcome, a.Error)));
        decimal economyCost = ((1000 * 0.15m) + (500 * 0.60m)) / 1_000_000m;
        decimal standardCost = ((1000 * 0.50m) + (500 * 2m)) / 1_000_000m;
        Assert.Equal(economyCost, route.Attempts[0].Cost);
        Assert.Equal(standardCost, route.Attempts[1].Cost);
        Assert.Equal(economyCost + standardCost, route.Cost);
        Assert.Equal(0, premium.Calls);
    }

    [Fact]
    public async Task EscalatedAnswer_IsNotEscalatedAgain()
    {
        var economy = Answering("economy", "I cannot help with that.");
        var standard = Answering("standard", "I cannot help with that either.");
        var premium = Answering("premium", "A premium answer.");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium);
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("hello");

        Assert.Equal("I cannot help with that either.", response.Text);
        Assert.Equal(2, response.GetRouteInfo()!.Attempts.Count);
        Assert.Equal(0, premium.Calls);
    }

    [Fact]
    public async Task AcceptableAnswer_IsReturnedAsIs()
    {
        var economy = Answering("economy", "Paris is the capital of France.");
        var standard = Answering("standard", "unused");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium);
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("Capital of France?");

        RouteInfo route = response.GetRouteInfo()!;
        Assert.False(route.IsEscalated);
        Assert.Equal("economy", route.Target);
        Assert.Equal(0, standard.Calls);
    }

    [Fact]
    public async Task FailedEscalation_ReturnsTheOriginalAnswer_AndRecordsTheFailure()
    {
        var economy = Answering("economy", "I'm unable to answer that.");
        var standard = new TestChatClient("standard") { GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("down", null, System.Net.HttpStatusCode.ServiceUnavailable)) };
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium);
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("hello");

        Assert.Equal("I'm unable to answer that.", response.Text);
        RouteInfo route = response.GetRouteInfo()!;
        Assert.False(route.IsEscalated);
        Assert.Equal("economy", route.Target);
        Assert.Equal(
            [("economy", RouteAttemptOutcome.Rejected), ("standard", RouteAttemptOutcome.Failed)],
            route.Attempts.Select(a => (a.Target, a.Outcome)));
    }

    [Theory]
    [InlineData("{\"name\": \"Ada\", \"age\": 36}", false)]
    [InlineData("```json\n{\"name\": \"Ada\", \"age\": 36}\n```", false)]
    [InlineData("{\"name\": \"Ada\"}", true)]
    [InlineData("{\"name\": \"Ada\", \"age\": \"old\"}", true)]
    [InlineData("{\"name\": \"Ada\", ", true)]
    public async Task JsonAnswers_AreCheckedAgainstTheRequestedSchema(string answer, bool escalated)
    {
        var economy = Answering("economy", answer);
        var standard = Answering("standard", "{\"name\": \"Ada\", \"age\": 36}");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium);
        using ServiceProvider _ = provider;
        JsonElement schema = JsonDocument.Parse("""
            { "type": "object", "required": ["name", "age"],
              "properties": { "name": { "type": "string" }, "age": { "type": "integer" } } }
            """).RootElement;

        ChatResponse response = await chat.GetResponseAsync("Who?", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person") });

        RouteInfo route = response.GetRouteInfo()!;
        Assert.Equal(escalated, route.IsEscalated);
        if (escalated)
        {
            Assert.StartsWith("json-schema: ", route.Attempts[0].Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CustomEvaluatorsFromDI_AreConsulted()
    {
        var economy = Answering("economy", "short");
        var standard = Answering("standard", "A long and careful answer.");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium, s => s.AddSingleton<IResponseEvaluator>(new MinimumLengthEvaluator(10)));
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("hello");

        Assert.True(response.GetRouteInfo()!.IsEscalated);
        Assert.Equal("min-length: too short", response.GetRouteInfo()!.Attempts[0].Error);
    }

    [Fact]
    public void Escalation_WithoutFallback_FailsAtStartup()
    {
        (IChatClient _, ServiceProvider provider) = (null!, null!);
        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            (_, provider) = Build(new TestChatClient("economy"), new TestChatClient("standard"), new TestChatClient("premium"), fallback: false);
        });

        Assert.Contains("UseFallback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldStream_ReachesTheCallerOnlyOnceComplete_AndAnAcceptedAnswerIsReleasedUnchanged()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var atGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var economy = Answering("economy", "Paris is the capital of France.", gate: gate.Task, atGate: atGate);
        var standard = Answering("standard", "unused");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium, escalation: e => e.EvaluateStreams = true);
        using ServiceProvider _ = provider;
        List<ChatResponseUpdate> direct = await Streams.ReadAllAsync(Stream("economy", "Paris is the capital of France.", ChatFinishReason.Stop, null, default));

        await using IAsyncEnumerator<ChatResponseUpdate> stream = chat.GetStreamingResponseAsync("Capital of France?").GetAsyncEnumerator();
        ValueTask<bool> first = stream.MoveNextAsync();
        await atGate.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the economy stream has sent its first piece and waits
        Assert.False(first.IsCompleted, "a held-back stream released an update before the answer was complete");
        gate.SetResult();
        var updates = new List<ChatResponseUpdate>();
        for (bool more = await first; more; more = await stream.MoveNextAsync())
        {
            updates.Add(stream.Current);
        }

        Assert.Equal(direct.Select(u => (u.Text, u.FinishReason)), updates.Select(u => (u.Text, u.FinishReason)));
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.False(route.IsEscalated);
        Assert.Equal([("economy", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal(0, standard.Calls);
    }

    [Fact]
    public async Task HeldStream_ThatBreaks_FallsOverFromTheStart_AndTheCallerSeesOnlyTheBackupsAnswer()
    {
        var economy = new TestChatClient("economy")
        {
            GetStreamingResponseAsyncCallback = (_, _, ct) => BreakingStream("economy", ct),
        };
        var standard = Answering("standard", "A complete answer.");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium, escalation: e => e.EvaluateStreams = true);
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("Explain quantum tunnelling."));

        Assert.Equal("A complete answer.", updates.ToChatResponse().Text);
        Assert.All(updates, u => Assert.Equal("standard", u.ModelId)); // nothing of the broken, held stream reached the caller
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.Equal("standard", route.Target);
        Assert.False(route.IsSpliced);
        Assert.Equal([("economy", RouteAttemptOutcome.Failed), ("standard", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.True(route.Attempts[0].IsCostEstimated); // the broken segment is charged what it streamed
        Assert.True(route.Attempts[0].Cost > 0m);
        Assert.Equal(0, premium.Calls);
    }

    [Fact]
    public async Task TheTotalBudget_RunningOutWhileAHeldStreamIsJudged_EndsWithTheBudgetException()
    {
        var time = new FakeTimeProvider();
        var judging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var economy = Answering("economy", "Paris is the capital of France.");
        (IChatClient chat, ServiceProvider provider) = Build(economy, Answering("standard", "unused"), Answering("premium", "unused"), s => s
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IResponseEvaluator>(new SlowEvaluator(time, judging)), escalation: e => e.EvaluateStreams = true, fallbackOptions: o => o.TotalTimeout = TimeSpan.FromSeconds(5));
        using ServiceProvider _ = provider;

        Task<List<ChatResponseUpdate>> pending = Streams.ReadAllAsync(chat.GetStreamingResponseAsync("Capital of France?"));
        await judging.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(6));

        FallbackTimeoutException ex = await Assert.ThrowsAsync<FallbackTimeoutException>(() => pending);
        Assert.StartsWith("The request's total time budget of 00:00:05 ran out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_AreNotJudged_WhenNotOptedIn()
    {
        var economy = Answering("economy", "I'm sorry, but I can't help with that request.");
        var standard = Answering("standard", "unused");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium);
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("hello"));

        Assert.Equal("I'm sorry, but I can't help with that request.", updates.ToChatResponse().Text);
        Assert.False(updates[^1].GetRouteInfo()!.IsEscalated);
        Assert.Equal(0, standard.Calls);
    }

    [Fact]
    public async Task HeldStream_LongerThanMaxHeldCharacters_IsReleasedAsItGrows_AndNotJudged()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var economy = Answering("economy", "I'm sorry, but I can't help with that request.", gate: gate.Task);
        var standard = Answering("standard", "unused");
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium, escalation: e => { e.EvaluateStreams = true; e.MaxHeldCharacters = 10; });
        using ServiceProvider _ = provider;

        await using IAsyncEnumerator<ChatResponseUpdate> stream = chat.GetStreamingResponseAsync("hello").GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))); // released before the stream is complete
        var updates = new List<ChatResponseUpdate> { stream.Current };
        gate.SetResult();
        while (await stream.MoveNextAsync())
        {
            updates.Add(stream.Current);
        }

        Assert.Equal("I'm sorry, but I can't help with that request.", updates.ToChatResponse().Text);
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.False(route.IsEscalated);
        Assert.Equal([("economy", RouteAttemptOutcome.Succeeded)], route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal(0, standard.Calls);
    }

    [Fact]
    public async Task FailedStreamedEscalation_ReleasesTheHeldOriginal_AndRecordsTheFailure()
    {
        var economy = Answering("economy", "I'm unable to answer that.");
        var standard = new TestChatClient("standard") { GetStreamingResponseAsyncCallback = (_, _, _) => Streams.FailBeforeTheFirstUpdate(new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable)) };
        var premium = Answering("premium", "unused");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium, escalation: e => e.EvaluateStreams = true);
        using ServiceProvider _ = provider;

        List<ChatResponseUpdate> updates = await Streams.ReadAllAsync(chat.GetStreamingResponseAsync("hello"));

        Assert.Equal("I'm unable to answer that.", updates.ToChatResponse().Text);
        RouteInfo route = updates[^1].GetRouteInfo()!;
        Assert.False(route.IsEscalated);
        Assert.Equal("economy", route.Target);
        Assert.Equal(
            [("economy", RouteAttemptOutcome.Rejected), ("standard", RouteAttemptOutcome.Failed)],
            route.Attempts.Select(a => (a.Target, a.Outcome)));
        Assert.Equal(0, premium.Calls);
    }

    /// <summary>Streams <paramref name="text"/> in three pieces (waiting for <paramref name="gate"/> after the first), then the finish reason and usage.</summary>
    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(string name, string text, ChatFinishReason finish, Task? gate, [EnumeratorCancellation] CancellationToken ct, TaskCompletionSource? atGate = null)
    {
        int third = Math.Max(1, text.Length / 3);
        string[] pieces = text.Length == 0 ? [] : [text[..third], text[third..Math.Min(text.Length, 2 * third)], text[Math.Min(text.Length, 2 * third)..]];
        for (int i = 0; i < pieces.Length; i++)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, pieces[i]) { MessageId = "m1", ModelId = name };
            if (i == 0 && gate is not null)
            {
                atGate?.TrySetResult();
                await gate.WaitAsync(ct);
            }
        }

        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            MessageId = "m1",
            ModelId = name,
            FinishReason = finish,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500, TotalTokenCount = 1500 })],
        };
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> BreakingStream(string name, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (string piece in new[] { "Quantum tunnelling is ", "when a particle " })
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { MessageId = "m1", ModelId = name };
        }

        throw new IOException("The connection was reset.");
    }

    private sealed class SlowEvaluator(TimeProvider time, TaskCompletionSource judging) : IResponseEvaluator
    {
        public string Name => "slow";

        public async ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken)
        {
            judging.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
            return null;
        }
    }

    private sealed class MinimumLengthEvaluator(int length) : IResponseEvaluator
    {
        public string Name => "min-length";

        public ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken) =>
            new(response.Text.Length < length ? "too short" : null);
    }
}
