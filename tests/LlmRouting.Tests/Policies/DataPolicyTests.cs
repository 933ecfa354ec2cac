using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Tests;

public class DataPolicyTests
{
    private static ServiceProvider Build(TestChatClient cloud, TestChatClient onPrem, Action<LlmRouterBuilder>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r =>
        {
            r.AddTarget("cloud", cloud, t => t.Tier(QualityTier.Premium))
             .AddTarget("on-prem", onPrem, t => t.Tags("on-prem").Tier(QualityTier.Economy))
             .Default("cloud")
             .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"));
            more?.Invoke(r);
        });
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("My card 4111 1111 1111 1111 was charged twice", "personal data (CreditCard)")]
    [InlineData("Write to jane@example.com about it", "personal data (Email)")]
    public async Task PersonalData_StaysOnAllowedTargets(string prompt, string why)
    {
        var cloud = new TestChatClient("cloud");
        var onPrem = new TestChatClient("on-prem");
        using ServiceProvider provider = Build(cloud, onPrem);

        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync(prompt)).GetRouteInfo()!;

        Assert.Equal("on-prem", route.Target);
        Assert.Equal(0, cloud.Calls);
        CandidateRejection rejection = Assert.Single(route.Rejections);
        Assert.Equal(new CandidateRejection("cloud", "data-policy", $"{why}: needs a target tagged on-prem"), rejection);
        Assert.DoesNotContain("4111", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASensitiveTag_AlsoCounts_AndOrdinaryRequestsGoAnywhere()
    {
        using ServiceProvider provider = Build(new TestChatClient("cloud"), new TestChatClient("on-prem"));
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        RouteInfo tagged = (await chat.GetResponseAsync("hello", new ChatOptions { AdditionalProperties = new() { ["tags"] = "sensitive" } })).GetRouteInfo()!;
        RouteInfo plain = (await chat.GetResponseAsync("hello")).GetRouteInfo()!;

        Assert.Equal("on-prem", tagged.Target);
        Assert.Equal("cloud", plain.Target);
    }

    [Fact]
    public async Task NoAllowedTargetCanServe_FailsClosed()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r
            .AddTarget("cloud", new TestChatClient("cloud"), t => t.Supports(ModelCapabilities.Tools))
            .AddTarget("on-prem", new TestChatClient("on-prem"), t => t.Tags("on-prem").Supports(ModelCapabilities.None))
            .Default("cloud")
            .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem")));
        using ServiceProvider provider = services.BuildServiceProvider();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "lookup")] };

        NoRouteAvailableException ex = await Assert.ThrowsAsync<NoRouteAvailableException>(
            () => provider.GetRequiredService<IChatClient>().GetResponseAsync("look up jane@example.com", options));

        Assert.Contains(ex.Rejections, r => r.Target == "cloud" && r.Filter == "data-policy");
        Assert.Contains(ex.Rejections, r => r.Target == "on-prem" && r.Filter == "capabilities");
    }

    [Fact]
    public void NoTargetCarriesAnAllowedTag_FailsAtStartUp()
    {
        var services = new ServiceCollection();
        services.AddLlmRouter(r => r.AddTarget("cloud", new TestChatClient()).Default("cloud").UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem")));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.StartsWith("DataPolicy: no configured target carries any of the allowed tags (on-prem);", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void APolicyWithoutAllowedTags_IsRejectedAtConfiguration()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLlmRouter(r => r.UseDataPolicy(_ => { })));
        Assert.StartsWith("DataPolicyOptions.AllowedTargetTags must name at least one non-empty target tag", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The guarantee, property-style: over many generated configurations and requests — rules that insist on
    /// disallowed targets, fallbacks through failing allowed targets, streaming or not — a request with personal
    /// data never reaches a target without an allowed tag.
    /// </summary>
    [Fact]
    public async Task Property_APiiRequestNeverReachesADisallowedTarget()
    {
        var random = new Random(20261124);
        string[] piiSamples = ["card 4111 1111 1111 1111", "mail bob@example.org", "SSN 123-45-6789", "IBAN GB82WEST12345698765432", "call +1 415 555 0100", "host 10.0.0.7"];
        string[] plainSamples = ["what are your hours", "explain the stack trace", "write a poem", "translate this to French"];
        int piiRequests = 0;

        for (int config = 0; config < 40; config++)
        {
            int targetCount = random.Next(2, 6);
            var clients = new Dictionary<string, TestChatClient>();
            var allowed = new HashSet<string>();
            var services = new ServiceCollection();
            services.AddLlmRouter(r =>
            {
                for (int t = 0; t < targetCount; t++)
                {
                    string name = $"t{t}";
                    bool isAllowed = t == 0 || random.NextDouble() < 0.3;
                    bool fails = random.NextDouble() < 0.3;
                    var client = new TestChatClient(name);
                    if (fails)
                    {
                        client.GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable);
                    }

                    clients[name] = client;
                    if (isAllowed)
                    {
                        allowed.Add(name);
                    }

                    r.AddTarget(name, client, tb =>
                    {
                        tb.Tier((QualityTier)random.Next(3));
                        if (isAllowed)
                        {
                            tb.Tags("on-prem");
                        }
                    });
                }

                string disallowedOrAny = $"t{random.Next(targetCount)}";
                r.UseRules(rules => rules.WhenContainsAny("card", "mail", "ssn", "iban", "call", "host", "stack").RouteTo(disallowedOrAny, $"t{random.Next(targetCount)}"))
                 .Default($"t{random.Next(targetCount)}")
                 .UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
                 .UseFallback(o =>
                 {
                     o.Resilience.EnableRetry = false;
                     o.Resilience.EnableCircuitBreaker = false;
                     o.MaxTargets = targetCount;
                 });
            });
            using ServiceProvider provider = services.BuildServiceProvider();
            IChatClient chat = provider.GetRequiredService<IChatClient>();

            for (int q = 0; q < 15; q++)
            {
                bool pii = random.NextDouble() < 0.6;
                string prompt = pii ? $"{plainSamples[random.Next(plainSamples.Length)]} {piiSamples[random.Next(piiSamples.Length)]}" : plainSamples[random.Next(plainSamples.Length)];
                var before = clients.ToDictionary(kv => kv.Key, kv => kv.Value.Calls);
                try
                {
                    await chat.GetResponseAsync(prompt);
                }
                catch (Exception ex) when (ex is HttpRequestException or NoRouteAvailableException)
                {
                    // Every allowed target failed, or none could serve: refused, which is allowed.
                }

                if (pii)
                {
                    piiRequests++;
                    foreach ((string name, TestChatClient client) in clients)
                    {
                        if (!allowed.Contains(name))
                        {
                            Assert.True(client.Calls == before[name], $"config {config}, request {q}: PII reached disallowed target {name}.");
                        }
                    }
                }
            }
        }

        Assert.True(piiRequests > 300);
    }
}
