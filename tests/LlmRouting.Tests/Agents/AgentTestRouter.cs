using Microsoft.Extensions.AI;

namespace LlmRouting.Tests.Agents;

/// <summary>A router over an economy and a premium fake: "hard" requests go premium by rule, everything else to economy.</summary>
internal sealed class AgentTestRouter : IDisposable
{
    public AgentTestRouter(Action<LlmRouterBuilder>? configure = null, bool premiumHasTools = true)
    {
        Economy = new TestChatClient("economy");
        Premium = new TestChatClient("premium");
        var builder = new LlmRouterBuilder()
            .AddTarget("economy", Economy, t => t.Prices(0.15m, 0.60m, cachedInput: 0.075m).Tier(QualityTier.Economy).Supports(ModelCapabilities.Tools).ContextWindow(64_000))
            .AddTarget("premium", Premium, t => t.Prices(2.50m, 10m, cachedInput: 1.25m).Tier(QualityTier.Premium).Supports(premiumHasTools ? ModelCapabilities.Tools : ModelCapabilities.None).ContextWindow(200_000))
            .Default("economy")
            .AddObserver(Observer)
            .UseRules(r => r.When(q => q.LastUserText.Contains("hard", StringComparison.Ordinal), "hard").RouteTo("premium"));
        configure?.Invoke(builder);
        Router = builder.Build();
    }

    public TestChatClient Economy { get; }

    public TestChatClient Premium { get; }

    public RecordingObserver Observer { get; } = new();

    public LlmRouterChatClient Router { get; }

    public static ChatOptions Session(string session, ChatOptions? options = null)
    {
        options ??= new ChatOptions();
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[RequestMetadataKeys.Session] = session;
        return options;
    }

    public async Task<RouteInfo> SendAsync(List<ChatMessage> history, string text, ChatOptions options)
    {
        history.Add(new ChatMessage(ChatRole.User, text));
        ChatResponse response = await Router.GetResponseAsync(history, options);
        history.AddRange(response.Messages);
        return response.GetRouteInfo()!;
    }

    public void Dispose() => Router.Dispose();
}
