using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Embeddings;
using LlmRouting.Learning;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

public class RoutingLabelTests
{
    private static RoutingLabel Label(string id) =>
        new(id, DateTimeOffset.UnixEpoch, RoutingLabelSource.Outcome, "economy", QualityTier.Economy, "chat", 0.4, 1, 0, RoutingLabelFeatures.FromText("hello " + id, 256), RoutingLabels.Fingerprint(id));

    [Fact]
    public async Task InMemoryStore_ReadsOldestFirstFromACursor_AndForgetsBeyondItsCapacity()
    {
        var store = new InMemoryRoutingLabelStore(capacity: 3);
        for (int i = 0; i < 5; i++)
        {
            await store.AddAsync(Label($"r{i}"));
        }

        RoutingLabelBatch first = await store.ReadAsync(null, 2);
        RoutingLabelBatch second = await store.ReadAsync(first.Cursor, 10);
        RoutingLabelBatch empty = await store.ReadAsync(second.Cursor, 10);

        Assert.Equal(["r2", "r3"], first.Labels.Select(l => l.RouteId));
        Assert.Equal(["r4"], second.Labels.Select(l => l.RouteId));
        Assert.Empty(empty.Labels);
        Assert.Equal(second.Cursor, empty.Cursor);
        Assert.Equal(3, await store.CountAsync());
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync("not-a-cursor", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryRoutingLabelStore(0));
    }

    [Fact]
    public void Features_KeepTheEmbeddingSparse_AndRestoreIt()
    {
        const string text = "Which enzyme unwinds the DNA double helix during replication?";
        float[] dense = new LocalEmbeddingGenerator(4096).Embed(text);

        RoutingLabelFeatures features = RoutingLabelFeatures.FromText(text, 4096);

        Assert.Equal(dense.Count(v => v != 0), features.Indices.Count);
        Assert.Equal(1.0, System.Numerics.Tensors.TensorPrimitives.Dot(dense, features.ToDense()), 5);
        Assert.Throws<ArgumentException>(() => new RoutingLabelFeatures(256, [300], [1f]));
        Assert.Throws<ArgumentException>(() => new RoutingLabelFeatures(256, [1, 2], [1f]));
    }

    [Fact]
    public async Task AnOutcomeBelowTheTopTier_IsAPremiumNeedLabel_WithFeaturesAndFingerprintButNoText()
    {
        using ServiceProvider provider = Build(out _);
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        ChatResponse response = await chat.GetResponseAsync("Explain the photoelectric effect.");
        RouteFeedback feedback = provider.GetRequiredService<RouteFeedback>();

        Assert.Equal(RouteFeedbackResult.Recorded, await feedback.RecordOutcomeAsync(response.GetRouteInfo()!.RouteId, 0.25));

        RoutingLabel label = Assert.Single((await provider.GetRequiredService<IRoutingLabelStore>().ReadAsync(null, 10)).Labels);
        Assert.Equal(RoutingLabelSource.Outcome, label.Source);
        Assert.Equal("economy", label.Target);
        Assert.Equal(0.75, label.PremiumNeed);
        Assert.Equal(0.25, label.Score);
        Assert.Equal(QualityTier.Premium, label.TopTier);
        Assert.Equal(RoutingLabels.Fingerprint("Explain the photoelectric effect."), label.Fingerprint);
        Assert.NotEmpty(label.Features.Indices);
        Assert.Null(label.Text);
    }

    [Fact]
    public async Task AnOutcomeAtTheTopTier_SaysNothingAboutPremiumNeed_AndTextIsKeptOnlyWhenEnabled()
    {
        using ServiceProvider provider = Build(out _, defaultTarget: "premium", includeText: true);
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        ChatResponse response = await chat.GetResponseAsync("Explain the photoelectric effect.");

        await provider.GetRequiredService<RouteFeedback>().RecordOutcomeAsync(response.GetRouteInfo()!.RouteId, 1);

        RoutingLabel label = Assert.Single((await provider.GetRequiredService<IRoutingLabelStore>().ReadAsync(null, 10)).Labels);
        Assert.Null(label.PremiumNeed);
        Assert.Equal("Explain the photoelectric effect.", label.Text);
    }

    [Fact]
    public async Task AnEscalation_IsAPremiumNeededLabelForTheRejectedTarget()
    {
        using ServiceProvider provider = Build(out RoutingLabels labels, economyAnswer: "I'm sorry, but I can't help with that request.", escalate: true);
        var recorded = new TaskCompletionSource<RoutingLabel>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.GetRequiredService<Listener>().Labelled = label => recorded.TrySetResult(label);

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Explain the photoelectric effect.");
        RoutingLabel label = await recorded.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(response.GetRouteInfo()!.IsEscalated);
        Assert.Equal(RoutingLabelSource.Escalation, label.Source);
        Assert.Equal("economy", label.Target);
        Assert.Equal(1, label.PremiumNeed);
        Assert.Equal(1, labels.Recorded);
    }

    [Fact]
    public void InvalidOptions_FailTheBuild_NamingTheField()
    {
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(r => r.AddTarget("economy").Default("economy").UseRoutingLabels(o => o.PendingRoutes = -1));
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Contains("LlmRouting:Labels:PendingRoutes", error.Message, StringComparison.Ordinal);
    }

    internal static ServiceProvider Build(out RoutingLabels labels, string defaultTarget = "economy", bool includeText = false, string economyAnswer = "economy answers", bool escalate = false)
    {
        var services = new ServiceCollection();
        var economy = new TestChatClient("economy")
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, economyAnswer))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 },
            }),
        };
        services.AddKeyedChatClient("economy", economy);
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddSingleton<Listener>();
        services.AddSingleton<IRoutingLabelListener>(sp => sp.GetRequiredService<Listener>());
        services.AddLlmRouter(r =>
        {
            r.AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy))
             .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
             .Default(defaultTarget)
             .UseRoutingLabels(o => o.IncludeText = includeText);
            if (escalate)
            {
                r.UseEscalation().UseFallback(o => o.Resilience.EnableRetry = false);
            }
        });
        ServiceProvider provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IChatClient>();
        labels = provider.GetRequiredService<RoutingLabels>();
        return provider;
    }

    internal sealed class Listener : IRoutingLabelListener
    {
        public Action<RoutingLabel>? Labelled { get; set; }

        public ValueTask OnLabelAsync(RoutingLabel label, CancellationToken cancellationToken)
        {
            Labelled?.Invoke(label);
            return default;
        }
    }
}
