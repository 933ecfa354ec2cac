using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using LlmRouting.Audits;
using LlmRouting.Learning;

namespace LlmRouting.IntegrationTests;

/// <summary>Quality audits through the official OpenAI client against the loopback server: the reference is asked in the background, never on the caller's path.</summary>
public sealed class QualityAuditIntegrationTests : IAsyncLifetime
{
    private const string JudgeMarker = "Answer A:";
    private FakeOpenAIServer _server = null!;
    private TaskCompletionSource _referenceGate = Released();
    private readonly TaskCompletionSource _referenceReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _referenceAborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAIServer.StartAsync();
        _server.Intercept = async (context, request) =>
        {
            if (request.LastUserText.Contains(JudgeMarker, StringComparison.Ordinal))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(FakeOpenAIServer.Completion(request.Model, "B", 200, 1));
                return true; // the judge: the reference is better
            }

            if (request.Model is "premium-model" or "standard-model")
            {
                _referenceReceived.TrySetResult();
                try
                {
                    await _referenceGate.Task.WaitAsync(context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    _referenceAborted.TrySetResult();
                    throw;
                }
            }

            return false;
        };
    }

    public async Task DisposeAsync()
    {
        _referenceGate.TrySetResult();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnAuditedRequest_ReachesTheReferenceInTheBackground_AndItsVerdictIsRecorded(bool streaming)
    {
        await using ServiceProvider provider = Build(o => o.SampleRate = 1);
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        Task<QualityAuditEventArgs> ended = NextAudit(auditor);

        (string text, RouteInfo route) = await SendAsync(provider.GetRequiredService<IChatClient>(), "Prove that the square root of two is irrational.", streaming);
        QualityAuditEventArgs audit = await ended.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(FakeOpenAIServer.AnswerOf("economy-model"), text);
        Assert.Equal("economy", route.Target);
        Assert.Equal(("completed", "premium", AuditVerdict.ReferenceBetter), (audit.Result, audit.Reference, audit.Verdict));
        Assert.Contains(_server.Requests, r => r.Model == "premium-model" && r.LastUserText == "Prove that the square root of two is irrational.");
        Assert.Contains(_server.Requests, r => r.Model == "premium-model" && r.LastUserText.Contains(JudgeMarker, StringComparison.Ordinal));
        RoutingLabel label = Assert.Single((await provider.GetRequiredService<IRoutingLabelStore>().ReadAsync(null, 10)).Labels);
        Assert.Equal((RoutingLabelSource.Audit, route.RouteId, 1.0), (label.Source, label.RouteId, label.PremiumNeed!.Value));
        Assert.True(audit.Cost > 0);
        Assert.Equal(audit.Cost, auditor.GetSummary().Totals.Cost);
    }

    [Fact]
    public async Task ASlowReference_NeverDelaysTheCaller()
    {
        _referenceGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ServiceProvider provider = Build(o => o.SampleRate = 1);
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        Task<QualityAuditEventArgs> ended = NextAudit(auditor);

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Explain entropy.");
        await _referenceReceived.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The caller has its answer while the reference has not answered yet (it cannot: the server holds it).
        Assert.Equal(FakeOpenAIServer.AnswerOf("economy-model"), response.Text);
        Assert.False(ended.IsCompleted);
        Assert.Equal(0, auditor.GetSummary().Completed);
        _referenceGate.TrySetResult();
        Assert.Equal("completed", (await ended.WaitAsync(TimeSpan.FromSeconds(20))).Result);
    }

    [Fact]
    public async Task AFullQueue_DropsTheAudit_AndCountsIt()
    {
        _referenceGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ServiceProvider provider = Build(o => { o.SampleRate = 1; o.MaxConcurrency = 1; o.QueueCapacity = 1; });
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        await chat.GetResponseAsync("first question");
        await _referenceReceived.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the only worker is busy with the first audit
        await chat.GetResponseAsync("second question");                       // queued
        ChatResponse third = await chat.GetResponseAsync("third question");    // the queue is full: dropped

        QualityAuditSummary summary = auditor.GetSummary();
        Assert.Equal(FakeOpenAIServer.AnswerOf("economy-model"), third.Text);
        Assert.Equal((3, 2, 1), (summary.Sampled, summary.Enqueued, summary.Dropped));
    }

    [Fact]
    public async Task Shutdown_CancelsRunningAndQueuedAudits()
    {
        _referenceGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ServiceProvider provider = Build(o => { o.SampleRate = 1; o.MaxConcurrency = 1; o.QueueCapacity = 4; });
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        IRoutingLabelStore labels = provider.GetRequiredService<IRoutingLabelStore>();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        await chat.GetResponseAsync("first question");
        await _referenceReceived.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await chat.GetResponseAsync("second question");

        await provider.DisposeAsync();

        QualityAuditSummary summary = auditor.GetSummary();
        Assert.Equal((2, 2, 0), (summary.Enqueued, summary.Cancelled, summary.Completed));
        await _referenceAborted.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the running reference call was cancelled on the wire
        Assert.Empty((await labels.ReadAsync(null, 10)).Labels);
    }

    [Fact]
    public async Task ASensitiveRequest_IsNeverAuditedAgainstADisallowedTarget()
    {
        // Only economy and standard may receive sensitive data: the reference is standard, never premium.
        await using ServiceProvider provider = Build(o => o.SampleRate = 1, policy: true);
        QualityAuditor auditor = provider.GetRequiredService<QualityAuditor>();
        Task<QualityAuditEventArgs> ended = NextAudit(auditor);
        var sensitive = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tags] = "sensitive" } };

        ChatResponse response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Summarise my medical record.", sensitive);
        QualityAuditEventArgs audit = await ended.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("economy", response.GetRouteInfo()!.Target);
        Assert.Equal("standard", audit.Reference);
        Assert.DoesNotContain(_server.Requests, r => r.Model == "premium-model");
    }

    [Fact]
    public async Task ASensitiveRequest_WithoutAnAllowedTarget_IsNotAuditedAtAll()
    {
        await using ServiceProvider provider = Build(o => o.SampleRate = 1);
        var sensitive = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tags] = "sensitive" } };

        await provider.GetRequiredService<IChatClient>().GetResponseAsync("Summarise my medical record.", sensitive);

        Assert.Equal(1, provider.GetRequiredService<QualityAuditor>().GetSummary().Skipped);
        Assert.All(_server.Requests, r => Assert.Equal("economy-model", r.Model));
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource();
        released.SetResult();
        return released;
    }

    private static Task<QualityAuditEventArgs> NextAudit(QualityAuditor auditor)
    {
        var ended = new TaskCompletionSource<QualityAuditEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        auditor.AuditEnded += (_, e) => ended.TrySetResult(e);
        return ended.Task;
    }

    private ServiceProvider Build(Action<QualityAuditOptions> configure, bool policy = false)
    {
        var openAi = new OpenAIClient(new ApiKeyCredential("test-key-not-secret"), new OpenAIClientOptions
        {
            Endpoint = _server.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
        var services = new ServiceCollection();
        services.AddKeyedChatClient("economy", openAi.GetChatClient("economy-model").AsIChatClient());
        services.AddKeyedChatClient("standard", openAi.GetChatClient("standard-model").AsIChatClient());
        services.AddKeyedChatClient("premium", openAi.GetChatClient("premium-model").AsIChatClient());
        services.AddLlmRouter(r =>
        {
            r.AddTarget("economy", t => t.Prices(0.15m, 0.60m).Tier(QualityTier.Economy).Tags("private"))
             .AddTarget("standard", t => t.Prices(0.50m, 2m).Tier(QualityTier.Standard).Tags("private"))
             .AddTarget("premium", t => t.Prices(2.50m, 10m).Tier(QualityTier.Premium))
             .Default("economy")
             .UseQualityAudits(configure);
            if (policy)
            {
                r.UseDataPolicy(o => o.AllowedTargetTags.Add("private"));
            }
        });
        return services.BuildServiceProvider();
    }

    private static async Task<(string Text, RouteInfo Route)> SendAsync(IChatClient chat, string prompt, bool streaming)
    {
        if (!streaming)
        {
            ChatResponse response = await chat.GetResponseAsync(prompt);
            return (response.Text, response.GetRouteInfo()!);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(prompt))
        {
            updates.Add(update);
        }

        return (updates.ToChatResponse().Text, updates[^1].GetRouteInfo()!);
    }
}
