using Microsoft.Extensions.AI;
using LlmRouting.Filtering;

namespace LlmRouting.Tests;

public class CandidateFilterTests
{
    private static readonly IRouteCandidateFilter[] BuiltIns = [CapabilityFilter.Instance, ContextWindowFilter.Instance];

    [Fact]
    public void NothingRejected_ReusesTheRegistryList()
    {
        TargetRegistry registry = Targets.Registry();
        RouteCandidates candidates = RouteCandidates.Filter(registry, BuiltIns, Targets.Request("hello"));
        Assert.Same(registry.Targets, candidates.Targets);
        Assert.Empty(candidates.Rejections);
    }

    [Fact]
    public void Tools_RejectTargetsWithoutToolSupport()
    {
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };
        RouteCandidates candidates = RouteCandidates.Filter(Targets.Registry(), BuiltIns, Targets.Request("hi", options));

        Assert.Equal(["premium"], candidates.Targets.Select(t => t.Name));
        Assert.Equal(new CandidateRejection("economy", "capabilities", "lacks Tools"), Assert.Single(candidates.Rejections));
    }

    [Fact]
    public void Images_RejectTargetsWithoutVision()
    {
        var message = new ChatMessage(ChatRole.User, [new TextContent("describe"), new UriContent(new Uri("https://example.com/cat.png"), "image/png")]);
        RouteCandidates candidates = RouteCandidates.Filter(Targets.Registry(), BuiltIns, new RoutingRequest([message]));

        Assert.Equal("lacks Vision", Assert.Single(candidates.Rejections).Reason);
    }

    [Fact]
    public void JsonSchema_RejectsTargetsWithoutStructuredOutput()
    {
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"object"}""").RootElement, "answer") };
        RouteCandidates candidates = RouteCandidates.Filter(Targets.Registry(), BuiltIns, Targets.Request("hi", options));

        Assert.Equal("lacks JsonSchema", Assert.Single(candidates.Rejections).Reason);
    }

    [Fact]
    public void PlainJsonMode_NeedsNoSchemaSupport()
    {
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.Json };
        Assert.Empty(RouteCandidates.Filter(Targets.Registry(), BuiltIns, Targets.Request("hi", options)).Rejections);
    }

    [Fact]
    public void SeveralMissingCapabilities_AreAllNamed()
    {
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };
        var message = new ChatMessage(ChatRole.User, [new TextContent("x"), new DataContent(new byte[] { 1 }, "image/jpeg")]);
        RouteCandidates candidates = RouteCandidates.Filter(Targets.Registry(), BuiltIns, new RoutingRequest([message], options));

        Assert.Equal("lacks Tools, Vision", Assert.Single(candidates.Rejections).Reason);
    }

    [Fact]
    public void ContextWindow_CountsInputPlusRequestedOutput()
    {
        // ~15 000 input tokens fit economy's 16 000 alone, but not with 2 000 output tokens on top.
        RoutingRequest fits = Targets.Request(new string('x', 60_000));
        RoutingRequest tooBig = Targets.Request(new string('x', 60_000), new ChatOptions { MaxOutputTokens = 2_000 });

        Assert.Empty(RouteCandidates.Filter(Targets.Registry(), BuiltIns, fits).Rejections);
        CandidateRejection rejection = Assert.Single(RouteCandidates.Filter(Targets.Registry(), BuiltIns, tooBig).Rejections);
        Assert.Equal("economy", rejection.Target);
        Assert.Equal("context-window", rejection.Filter);
        Assert.Equal("context window 16000 < 17004 tokens needed", rejection.Reason);
    }

    [Fact]
    public void MaxOutputTokens_BeyondTheTargetsLimit_IsRejected()
    {
        var target = new RouteTarget("short", new TestChatClient(), new TargetProfile { MaxOutputTokens = 1_024 });
        bool allowed = ContextWindowFilter.Instance.IsAllowed(Targets.Request("hi", new ChatOptions { MaxOutputTokens = 4_096 }), target, out string? reason);

        Assert.False(allowed);
        Assert.Equal("max output 1024 < requested 4096", reason);
    }

    [Fact]
    public async Task NothingFits_ThrowsNamingEveryTargetAndWhatItLacked()
    {
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.Economy(), Targets.OnPrem()]), "economy");
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };

        NoRouteAvailableException ex = await Assert.ThrowsAsync<NoRouteAvailableException>(() => router.GetResponseAsync("call a tool", options));

        Assert.Equal("No target can serve this request: economy: lacks Tools (capabilities); on-prem: lacks Tools (capabilities).", ex.Message);
        Assert.Equal(2, ex.Rejections.Count);
    }

    [Fact]
    public async Task NothingFits_Streaming_ThrowsTheSameException()
    {
        using var router = new LlmRouterChatClient(new TargetRegistry([Targets.OnPrem()]), "on-prem");

        await Assert.ThrowsAsync<NoRouteAvailableException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in router.GetStreamingResponseAsync(new string('y', 100_000)))
            {
            }
        });
    }

    [Fact]
    public async Task CustomFilters_RunAfterTheBuiltIns()
    {
        var options = new LlmRouterChatClientOptions();
        options.Filters.Add(new DenyFilter("premium"));
        using var router = new LlmRouterChatClient(Targets.Registry(), "premium", options: options);

        RouteInfo route = (await router.GetResponseAsync("hi")).GetRouteInfo()!;

        Assert.Equal("economy", route.Target);
        Assert.Equal(new CandidateRejection("premium", "deny", "denied for test"), Assert.Single(route.Rejections));
        Assert.Equal(["economy"], route.Candidates);
    }

    private sealed class DenyFilter(string target) : IRouteCandidateFilter
    {
        public string Name => "deny";

        public bool IsAllowed(RoutingRequest request, RouteTarget candidate, out string? reason)
        {
            reason = candidate.Name == target ? "denied for test" : null;
            return reason is null;
        }
    }
}
