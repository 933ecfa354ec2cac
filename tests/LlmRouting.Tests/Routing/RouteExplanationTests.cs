using System.Text.Json;
using System.Text.Json.Nodes;
using LlmRouting.Analysis;
using LlmRouting.Filtering;
using Microsoft.Extensions.AI;

namespace LlmRouting.Tests;

/// <summary>Readable reasons for every rule, the data policy's part in a decision, and RouteInfo.Explain.</summary>
public sealed class RouteExplanationTests
{
    [Fact]
    public async Task UnnamedRules_ExplainThemselvesByTheirConditions_NamedOnesByNameAndConditions()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient("premium"), t => t.Tier(QualityTier.Premium))
            .AddTarget("economy", new TestChatClient("economy"), t => t.Tier(QualityTier.Economy))
            .UseRules(rules => rules
                .WhenContainsAny("invoice", "refund").RouteTo("economy")
                .Add(o =>
                {
                    o.Tasks.Add(TaskType.Code);
                    o.MinTokens = 5;
                }).RouteTo("premium")
                .When(req => req.HasTag("vip")).RouteTo("premium")
                .When(req => req.HasTag("gold"), "gold", "gold customer").RouteTo("premium"))
            .Default("economy")
            .Build();

        Assert.Equal("rule #1 (contains any of 2 terms)", await ReasonAsync(router, "Where is my invoice?"));
        Assert.Equal("rule #2 (tokens≥5, task=Code)", await ReasonAsync(router, "Write a Python function that parses a CSV file and sums the second column"));
        Assert.Equal("rule #3 (a code condition)", await ReasonAsync(router, "hello", Targets.WithMetadata(("tags", "vip"))));
        Assert.Equal("rule 'gold' (gold customer)", await ReasonAsync(router, "hello", Targets.WithMetadata(("tags", "gold"))));
        Assert.DoesNotContain("invoice", await ReasonAsync(router, "Where is my invoice?"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestTheDataPolicyMoved_SaysSoInItsReason()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("cloud", new TestChatClient("cloud"), t => t.Prices(input: 0.1m, output: 0.1m))
            .AddTarget("on-prem", new TestChatClient("on-prem"), t => t.Prices(input: 1m, output: 1m).Tags("on-prem"))
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .Default("cloud")
            .Build();

        RouteInfo moved = (await router.GetResponseAsync("My email is jane.doe@example.com, please update it")).GetRouteInfo()!;
        RouteInfo plain = (await router.GetResponseAsync("What are your opening hours?")).GetRouteInfo()!;

        Assert.Equal("on-prem", moved.Target);
        Assert.StartsWith(moved.Decision.Reason + "; moved by the data policy off cloud (", moved.Reason, StringComparison.Ordinal);
        Assert.Contains("needs a target tagged on-prem", moved.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("jane", moved.Reason, StringComparison.Ordinal);
        Assert.Equal(("cloud", plain.Decision.Reason), (plain.Target, plain.Reason));
    }

    [Fact]
    public async Task Explain_NamesEveryRejectedTargetWithItsFilterAndReason_TheAttemptsAndTheCost()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient("premium"), t => t.ModelId("big-1").Prices(input: 2m, output: 8m).ContextWindow(128_000).Supports(ModelCapabilities.Tools).Tags("on-prem").Tier(QualityTier.Premium))
            .AddTarget("economy", new TestChatClient("economy"), t => t.Prices(input: 0.1m, output: 0.4m).Supports(ModelCapabilities.None).Tags("on-prem"))
            .AddTarget("tiny", new TestChatClient("tiny"), t => t.ContextWindow(10).Supports(ModelCapabilities.Tools).Tags("on-prem"))
            .AddTarget("cloud", new TestChatClient("cloud"), t => t.Supports(ModelCapabilities.Tools))
            .AddTarget("flaky", new TestChatClient("flaky"), t => t.Supports(ModelCapabilities.Tools).Tags("on-prem"))
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
            .AddFilter(new MaintenanceFilter("flaky"))
            .Default("premium")
            .Baseline("premium")
            .Build();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 42, "lookup")] };

        RouteInfo route = (await router.GetResponseAsync("My email is jane.doe@example.com: look up my order and tell me where it is", options)).GetRouteInfo()!;
        string explained = route.Explain();

        Assert.StartsWith("Routed to 'premium' (model big-1, tier Premium) by default: ", explained, StringComparison.Ordinal);
        Assert.Contains("  - economy by capabilities: lacks Tools", explained, StringComparison.Ordinal);
        Assert.Contains("  - tiny by context-window: context window 10 < ", explained, StringComparison.Ordinal);
        Assert.Contains("  - cloud by data-policy: ", explained, StringComparison.Ordinal);
        Assert.Contains("  - flaky by maintenance: down for maintenance", explained, StringComparison.Ordinal);
        Assert.Contains("Candidates: premium.", explained, StringComparison.Ordinal);
        Assert.Contains("personal data (Email)", explained, StringComparison.Ordinal);
        Assert.Contains("Attempts (1):\n  1. premium: Succeeded in ", explained.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Outcome: Succeeded", explained, StringComparison.Ordinal);
        Assert.Contains("; cost 0.006", explained, StringComparison.Ordinal); // 1 000 in at 2, 500 out at 8 per million
        Assert.DoesNotContain("jane", explained, StringComparison.Ordinal);
        Assert.DoesNotContain("order", explained, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASerializedRoute_IsSmallAndContentFree_AndReadsBackAsAFreeCacheHit_OnlyInItsOwnVersion()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient("premium"), t => t.ModelId("big-1").Prices(input: 2m, output: 8m).Tier(QualityTier.Premium))
            .Default("premium")
            .Build();
        ChatResponse response = await router.GetResponseAsync("My email is jane.doe@example.com");
        RouteInfo original = response.GetRouteInfo()!;

        string json = JsonSerializer.Serialize(response, AIJsonUtilities.DefaultOptions);
        ChatResponse replayed = JsonSerializer.Deserialize<ChatResponse>(json, AIJsonUtilities.DefaultOptions)!;
        RouteInfo hit = Assert.IsType<RouteInfo>(replayed.GetRouteInfo());

        Assert.Equal("{\"v\":1,\"target\":\"premium\",\"modelId\":\"big-1\",\"tier\":\"Premium\"}", JsonNode.Parse(json)!["additionalProperties"]![RequestMetadataKeys.RouteInfo]!.ToJsonString());
        Assert.DoesNotContain(original.RouteId, json, StringComparison.Ordinal);
        Assert.Equal((true, 0m, "cache", RouteOutcome.Succeeded), (hit.IsCacheHit, hit.Cost, hit.Strategy, hit.Outcome));
        Assert.NotEqual(original.RouteId, hit.RouteId);
        Assert.Same(hit, replayed.GetRouteInfo());
        Assert.EndsWith("Answered from a cache; no target was called, nothing was billed.", hit.Explain(), StringComparison.Ordinal);

        var future = new ChatResponse { AdditionalProperties = new() { [RequestMetadataKeys.RouteInfo] = JsonSerializer.SerializeToElement(new { v = 2, target = "premium" }) } };
        Assert.Null(future.GetRouteInfo());
    }

    private static async Task<string> ReasonAsync(LlmRouterChatClient router, string prompt, ChatOptions? options = null) =>
        (await router.GetResponseAsync(prompt, options)).GetRouteInfo()!.Reason;

    private sealed class MaintenanceFilter(string down) : IRouteCandidateFilter
    {
        public string Name => "maintenance";

        public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
        {
            bool allowed = target.Name != down;
            reason = allowed ? null : "down for maintenance";
            return allowed;
        }
    }
}
