using Microsoft.Extensions.AI;
using LlmRouting.Analysis;
using LlmRouting.Filtering;

namespace LlmRouting.Tests.Architecture;

// The code samples of docs/architecture.md ("How to add …"), compiled and run here so they follow the API.

/// <summary>Sends requests tagged "vip" to the first premium candidate; abstains otherwise.</summary>
public sealed class VipStrategy : IRoutingStrategy
{
    public string Name => "vip";

    public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken)
    {
        if (!request.HasTag("vip"))
        {
            return ValueTask.FromResult<RouteDecision?>(null); // abstain: the next strategy decides
        }

        RouteTarget? premium = candidates.Targets.FirstOrDefault(t => t.Profile.Tier == QualityTier.Premium);
        return ValueTask.FromResult(premium is null ? null : RouteDecision.To(premium, Name, "vip tag"));
    }
}

/// <summary>Keeps requests with personal data away from targets not tagged "eu".</summary>
public sealed class EuOnlyForPersonalDataFilter : IRouteCandidateFilter
{
    public string Name => "eu-only";

    public bool IsAllowed(RoutingRequest request, RouteTarget target, out string? reason)
    {
        bool allowed = request.Analysis.Pii == PiiKinds.None || target.Profile.HasTag("eu");
        reason = allowed ? null : "personal data stays in the EU";
        return allowed;
    }
}

/// <summary>Counts requests per target (an observer sees every completed route, never the prompt text).</summary>
public sealed class CountingObserver : IRouteObserver
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public void OnRouteCompleted(RouteInfo route) => _counts.AddOrUpdate(route.Target, 1, (_, n) => n + 1);
}

/// <summary>A per-target decorator: stamps the target's name on each response.</summary>
public sealed class StampingChatClient(IChatClient inner, string target) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        (response.AdditionalProperties ??= [])["stamped-by"] = target;
        return response;
    }
}

public class ExtensionSamplesTests
{
    [Fact]
    public async Task TheDocumentedExtensions_ComposeInARouterWithoutDI()
    {
        var observer = new CountingObserver();
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient("premium"), t => t.Tier(QualityTier.Premium).Tags("eu"))
            .AddTarget("economy", new TestChatClient("economy"))
            .AddFilter(new EuOnlyForPersonalDataFilter())
            .UseStrategy(new VipStrategy())
            .AddObserver(observer)
            .DecorateTargets(d => new StampingChatClient(d.Client, d.TargetName))
            .Default("economy")
            .Build();
        var vip = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tags] = "vip" } };

        ChatResponse routed = await router.GetResponseAsync("Summarise this", vip);
        ChatResponse personal = await router.GetResponseAsync("My e-mail is ana@example.com, please reply there");
        ChatResponse plain = await router.GetResponseAsync("Hello");

        Assert.Equal(("premium", "vip"), (routed.GetRouteInfo()!.Target, routed.GetRouteInfo()!.Strategy));
        Assert.Equal("premium", personal.GetRouteInfo()!.Target); // economy is filtered out (not "eu"), the default gives way
        Assert.Equal("economy", plain.GetRouteInfo()!.Target);
        Assert.Equal("economy", plain.AdditionalProperties?["stamped-by"]);
        Assert.Equal(2, observer.Counts["premium"]);
    }

    [Fact]
    public async Task TheDocumentedRuleForms_Compile_AndRoute()
    {
        using LlmRouterChatClient router = new LlmRouterBuilder()
            .AddTarget("premium", new TestChatClient("premium"))
            .AddTarget("economy", new TestChatClient("economy"))
            .UseRules(rules => rules
                .When(req => req.HasTag("vip")).RouteTo("premium")
                .WhenRiskAtLeast(RiskLevel.High).RouteTo("premium")
                .Add(o => o.MinRisk = RiskLevel.Medium).RouteTo("premium"))
            .Default("economy")
            .Build();
        var vip = new ChatOptions { AdditionalProperties = new() { [RequestMetadataKeys.Tags] = "vip" } };

        Assert.Equal("premium", (await router.GetResponseAsync("Hello", vip)).GetRouteInfo()!.Target);
        Assert.Equal("economy", (await router.GetResponseAsync("Hello")).GetRouteInfo()!.Target);
    }
}
