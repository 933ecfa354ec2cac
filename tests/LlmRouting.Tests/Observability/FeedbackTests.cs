using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;
using LlmRouting.Learning;
using LlmRouting.Resilience;
using LlmRouting.Strategies;
using LlmRouting.Telemetry;
using LlmRouting.Statistics;

namespace LlmRouting.Tests;

public sealed class FeedbackTests
{
    [Fact]
    public async Task RecordOutcome_StoresTheScoreWithTheDecisionsFeatures_AndTellsTheListeners()
    {
        var listener = new CollectingListener();
        using ServiceProvider provider = ObservabilityFixtures.Build(r =>
        {
            r.Services.AddSingleton<IRouteOutcomeListener>(listener);
            r.UseOutcomeFeedback();
        });
        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("an exception in prod", ObservabilityFixtures.For("acme", task: "code"));
        string routeId = response.GetRouteInfo()!.RouteId;
        RouteFeedback feedback = provider.GetRequiredService<RouteFeedback>();

        Assert.Equal(RouteFeedbackResult.Recorded, await feedback.RecordOutcomeAsync(routeId, 0.75));

        (RouteFeedbackEntry entry, double score) = Assert.Single(listener.Outcomes);
        Assert.Equal(0.75, score);
        Assert.Equal(routeId, entry.RouteId);
        Assert.Equal("premium", entry.Target);
        Assert.Equal(RuleStrategy.StrategyName, entry.Strategy);
        Assert.Equal("code|low", entry.Context);
        Assert.Equal("acme", entry.Tenant);
        Assert.Equal(ObservabilityFixtures.PremiumCost, entry.Cost);
        Assert.Equal(0.75, feedback.GetOutcome(routeId));

        Assert.Equal(RouteFeedbackResult.AlreadyRecorded, await feedback.RecordOutcomeAsync(routeId, 0));
        Assert.Single(listener.Outcomes);
    }

    [Fact]
    public async Task UnknownAndExpiredRoutes_GiveAClearResult()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseOutcomeFeedback(o => o.RetentionPeriod = TimeSpan.FromMinutes(10)), timeProvider: time);
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        RouteFeedback feedback = provider.GetRequiredService<RouteFeedback>();
        string routeId = (await chat.GetResponseAsync("hello")).GetRouteInfo()!.RouteId;

        Assert.Equal(RouteFeedbackResult.UnknownRoute, await feedback.RecordOutcomeAsync("0123456789abcdef0123456789abcdef", 1));
        Assert.True(feedback.TryGetRoute(routeId, out _));

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(feedback.TryGetRoute(routeId, out _));
        Assert.Equal(RouteFeedbackResult.Expired, await feedback.RecordOutcomeAsync(routeId, 1));
    }

    [Fact]
    public async Task TheOldestRoutesAreForgotten_BeyondTheCapacity()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseOutcomeFeedback(o => o.Capacity = 2));
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        RouteFeedback feedback = provider.GetRequiredService<RouteFeedback>();
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            ids.Add((await chat.GetResponseAsync("hello")).GetRouteInfo()!.RouteId);
        }

        Assert.Equal(2, feedback.Count);
        Assert.Equal(RouteFeedbackResult.UnknownRoute, await feedback.RecordOutcomeAsync(ids[0], 1));
        Assert.Equal(RouteFeedbackResult.Recorded, await feedback.RecordOutcomeAsync(ids[2], 1));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public async Task ScoresOutsideZeroToOne_AreRejected(double score)
    {
        var feedback = new RouteFeedback();
        ArgumentOutOfRangeException ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await feedback.RecordOutcomeAsync("id", score));
        Assert.StartsWith("An outcome score must be a number from 0 (bad) to 1 (good).", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await feedback.RecordOutcomeAsync(" ", 1));
    }

    [Fact]
    public void BadOptions_AreRejectedAtConstruction()
    {
        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => new RouteFeedback(options: new RouteFeedbackOptions { Capacity = 0 }));
        Assert.Equal(["OutcomeFeedback:Capacity must be positive (was 0)."], ex.Failures);
        Assert.Equal(["OutcomeFeedback:RetentionPeriod must be positive (was 00:00:00)."], Assert.Throws<OptionsValidationException>(() => new RouteFeedback(options: new RouteFeedbackOptions { RetentionPeriod = TimeSpan.Zero })).Failures);
    }

    [Theory]
    [InlineData("code", "hello", false, "code|low")]
    [InlineData("Code Review: C#", "hello", true, "code_review__c#|low+tools")]
    [InlineData(null, "hi there, how are you?", false, "chat|low")]
    [InlineData(null, "Translate this sentence into French: the meeting is moved to Tuesday.", false, "translation|low")]
    [InlineData(null, "Write a C# method that parses a JSON array, validates each element against a schema, retries on transient I/O errors with exponential backoff, and returns a typed result; include unit tests and explain the complexity.", false, "code|medium")]
    public void DefaultContextSelector_CombinesTaskAndComplexity(string? task, string prompt, bool tools, string expected)
    {
        ChatOptions options = ObservabilityFixtures.For(task: task);
        if (tools)
        {
            options.Tools = [AIFunctionFactory.Create(() => 1, "f")];
        }

        Assert.Equal(expected, DefaultRouteContextSelector.Instance.SelectContext(new RoutingRequest(prompt, options)));
    }

    [Fact]
    public async Task WithTelemetry_OutcomeScoresAreMeasured()
    {
        using ServiceProvider provider = ObservabilityFixtures.Build(r => r.UseTelemetry().UseOutcomeFeedback());
        var scores = new List<(double Value, object? Target)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == LlmRoutingTelemetry.MeterName && instrument.Name == "llmrouting.feedback.score")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            lock (scores)
            {
                scores.Add((value, tags.ToArray().Single(t => t.Key == "llmrouting.target").Value));
            }
        });
        listener.Start();

        string routeId = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("hello")).GetRouteInfo()!.RouteId;
        await provider.GetRequiredService<RouteFeedback>().RecordOutcomeAsync(routeId, 0.25);

        (double value, object? target) = Assert.Single(scores);
        Assert.Equal(0.25, value);
        Assert.Equal("economy", target);
    }

    private sealed class CollectingListener : IRouteOutcomeListener
    {
        public List<(RouteFeedbackEntry Entry, double Score)> Outcomes { get; } = [];

        public ValueTask OnOutcomeAsync(RouteFeedbackEntry route, double score, CancellationToken cancellationToken)
        {
            lock (Outcomes)
            {
                Outcomes.Add((route, score));
            }

            return ValueTask.CompletedTask;
        }
    }
}
