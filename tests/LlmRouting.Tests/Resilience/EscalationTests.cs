using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

public class EscalationTests
{
    private static (IChatClient Chat, ServiceProvider Provider) Build(TestChatClient economy, TestChatClient standard, TestChatClient premium, Action<IServiceCollection>? services = null, bool fallback = true)
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
             .UseEscalation()
             .UseJsonSchemaEscalation();
            if (fallback)
            {
                r.UseFallback(o => o.Resilience.EnableRetry = false);
            }
        });
        ServiceProvider provider = collection.BuildServiceProvider();
        return (provider.GetRequiredService<IChatClient>(), provider);
    }

    private static TestChatClient Answering(string name, string text, ChatFinishReason? finish = null) => new(name)
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            FinishReason = finish ?? ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500, TotalTokenCount = 1500 },
        }),
    };

    public static TheoryData<string, ChatFinishReason?, string> RejectedAnswers => new()
    {
        { "", null, "truncated: empty answer" },
        { "The first half of a long ans", ChatFinishReason.Length, "truncated: truncated at the output-token limit" },
        { "I'm sorry, but I can't help with that request.", null, "refusal: refusal" },
    };

    [Theory]
    [MemberData(nameof(RejectedAnswers))]
    public async Task RejectedAnswer_IsEscalatedOnceToTheNextHigherTier_WithBothCostsRecorded(string answer, ChatFinishReason? finish, string reason)
    {
        var economy = Answering("economy", answer, finish);
        var standard = Answering("standard", "A complete answer.");
        var premium = Answering("premium", "A premium answer.");
        (IChatClient chat, ServiceProvider provider) = Build(economy, standard, premium);
        using ServiceProvider _ = provider;

        ChatResponse response = await chat.GetResponseAsync("Explain quantum tunnelling.");

        Assert.Equal("A complete answer.", response.Text);
        RouteInfo route = response.GetRouteInfo()!;
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

    private sealed class MinimumLengthEvaluator(int length) : IResponseEvaluator
    {
        public string Name => "min-length";

        public ValueTask<string?> EvaluateAsync(ChatResponse response, RoutingRequest request, ChatOptions? options, CancellationToken cancellationToken) =>
            new(response.Text.Length < length ? "too short" : null);
    }
}
