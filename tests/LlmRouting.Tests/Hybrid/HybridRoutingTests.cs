using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Strategies;
using LlmRouting.Costs;

namespace LlmRouting.Tests;

public class HybridRoutingTests
{
    private const string Json = """
        {
          "LlmRouting": {
            "Default": "local",
            "Targets": [
              { "Name": "premium", "InputPricePerMillion": 2.50, "OutputPricePerMillion": 10, "Tier": "Premium" },
              { "Name": "mini", "InputPricePerMillion": 0.15, "OutputPricePerMillion": 0.60, "Tier": "Economy" },
              { "Name": "local", "InputPricePerMillion": 0.05, "OutputPricePerMillion": 0.08, "Tier": "Standard", "Tags": [ "on-prem" ] }
            ],
            "Rules": [
              { "Name": "vip", "Target": "premium", "Metadata": { "tier": "vip" } }
            ],
            "DataPolicy": { "AllowedTargetTags": [ "on-prem" ] },
            "Embedding": {
              "Threshold": 0.3,
              "Routes": [
                { "Name": "code", "Target": "premium", "Utterances": [ "refactor this C# class to use dependency injection", "fix the null reference exception in my service" ] },
                { "Name": "smalltalk", "Target": "mini", "Utterances": [ "hello, how are you today", "thanks a lot, have a nice day" ] }
              ]
            },
            "CostAware": { "Budgets": [ { "ScopeKey": "tenant", "Period": "Day", "Limit": 10 } ] }
          }
        }
        """;

    private static IConfigurationRoot FromJson(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static ServiceProvider Build(IConfiguration? configuration, Action<LlmRouterBuilder> configure, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        if (configuration is not null)
        {
            services.AddSingleton(configuration);
        }

        foreach (string name in new[] { "premium", "mini", "local" })
        {
            services.AddKeyedChatClient(name, new TestChatClient(name));
        }

        more?.Invoke(services);
        services.AddLlmRouter(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task FromAppSettings_BuildsTheDocumentedChain_AndEachStageDecides()
    {
        using ServiceProvider provider = Build(FromJson(Json), r => r.UseHybridRouting());
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        Assert.Equal(["rules", "embedding", "cost-aware"], router.Strategies.Select(s => s.Name));

        RouteInfo pii = (await chat.GetResponseAsync("Refactor this C# class; questions to jane.doe@example.com")).GetRouteInfo()!;
        Assert.Equal("local", pii.Target);
        Assert.Contains(pii.Rejections, r => r.Target == "premium" && r.Filter == "data-policy");

        RouteInfo vip = (await chat.GetResponseAsync("hello", Targets.WithMetadata(("tier", "vip")))).GetRouteInfo()!;
        Assert.Equal(("premium", "rules"), (vip.Target, vip.Strategy));

        RouteInfo code = (await chat.GetResponseAsync("Please refactor this C# class to use dependency injection")).GetRouteInfo()!;
        Assert.Equal(("premium", "embedding"), (code.Target, code.Strategy));

        RouteInfo chatty = (await chat.GetResponseAsync("hello, how are you")).GetRouteInfo()!;
        Assert.Equal(("mini", "embedding"), (chatty.Target, chatty.Strategy));

        RouteInfo other = (await chat.GetResponseAsync("What is the capital of Portugal?")).GetRouteInfo()!;
        Assert.Equal("cost-aware", other.Strategy);
    }

    [Fact]
    public async Task CostAwareBudgets_FromConfiguration_RecordSpendAfterEachRequest()
    {
        using ServiceProvider provider = Build(FromJson(Json), r => r.UseHybridRouting());
        IChatClient chat = provider.GetRequiredService<IChatClient>();

        RouteInfo route = (await chat.GetResponseAsync("What is the capital of Portugal?", Targets.WithMetadata(("tenant", "acme")))).GetRouteInfo()!;

        BudgetOptions budget = provider.GetRequiredService<HybridStageOptions>().CostAware.Budgets[0];
        decimal spent = await provider.GetRequiredService<IBudgetStore>().GetSpentAsync(budget.KeyAt("acme", route.Timestamp));
        Assert.True(route.Cost > 0);
        Assert.Equal(route.Cost, spent);
    }

    [Fact]
    public void FromCode_ConfiguresEveryStage_AndTheJudgeIsOffUntilAsked()
    {
        void Configure(LlmRouterBuilder r, bool judge) => r
            .AddTarget("premium", t => t.Tier(QualityTier.Premium))
            .AddTarget("mini", t => t.Tier(QualityTier.Economy))
            .Default("mini")
            .UseHybridRouting(h =>
            {
                h.EmbeddingRoutes(e => e.AddRoute("premium", ["prove the theorem"]));
                if (judge)
                {
                    h.Judge(j => j.Target = "mini");
                }
            });

        using ServiceProvider off = Build(null, r => Configure(r, judge: false));
        using ServiceProvider on = Build(null, r => Configure(r, judge: true));

        Assert.Equal(["embedding", "cost-aware"], off.GetRequiredService<LlmRouterChatClient>().Strategies.Select(s => s.Name));
        Assert.Equal(["embedding", "judge", "cost-aware"], on.GetRequiredService<LlmRouterChatClient>().Strategies.Select(s => s.Name));
    }

    [Fact]
    public async Task JudgeTurnedOnInConfiguration_JoinsTheChainBeforeCostAware_AndReadsItsSection()
    {
        const string Judge = """{ "LlmRouting": { "Hybrid": { "Judge": true }, "Judge": { "Target": "mini", "Timeout": "00:00:00.250" } } }""";
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json)))
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Judge)))
            .Build();
        var mini = new TestChatClient("mini")
        {
            GetResponseAsyncCallback = (messages, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
                messages.First().Role == ChatRole.System ? "PREMIUM" : "mini answers")) { Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 1 } }),
        };
        using ServiceProvider provider = Build(configuration, r => r.UseHybridRouting(), services => services.AddKeyedChatClient("mini", mini));
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();

        Assert.Equal(["rules", "embedding", "judge", "cost-aware"], router.Strategies.Select(s => s.Name));
        Assert.Equal(TimeSpan.FromMilliseconds(250), provider.GetRequiredService<HybridStageOptions>().Judge.Timeout);

        RouteInfo route = (await provider.GetRequiredService<IChatClient>().GetResponseAsync("What is the capital of Portugal?")).GetRouteInfo()!;
        Assert.Equal(("premium", "judge"), (route.Target, route.Strategy));
        Assert.True(route.DecisionCost > 0);
    }

    [Fact]
    public async Task OnReload_TheChainIsRebuiltWithTheStages_AndTheEmbeddedRoutesAreKept()
    {
        var source = new ReloadableSource();
        source.Set("LlmRouting:Default", "mini");
        source.Set("LlmRouting:Targets:0:Name", "premium");
        source.Set("LlmRouting:Targets:0:Tier", "Premium");
        source.Set("LlmRouting:Targets:1:Name", "mini");
        source.Set("LlmRouting:Embedding:Routes:0:Target", "premium");
        source.Set("LlmRouting:Embedding:Routes:0:Name", "hard");
        source.Set("LlmRouting:Embedding:Routes:0:Utterances:0", "prove the theorem by induction");
        using ServiceProvider provider = Build(new ConfigurationBuilder().Add(source).Build(), r => r.UseHybridRouting());
        LlmRouterChatClient router = provider.GetRequiredService<LlmRouterChatClient>();
        IRoutingStrategy embedding = router.Strategies[0];
        Assert.Equal(["embedding", "cost-aware"], router.Strategies.Select(s => s.Name));

        source.Set("LlmRouting:Rules:0:Target", "mini");
        source.Set("LlmRouting:Rules:0:ContainsAny:0", "urgent");
        source.Reload();

        Assert.Equal(["rules", "embedding", "cost-aware"], router.Strategies.Select(s => s.Name));
        Assert.Same(embedding, router.Strategies[1]);
        Assert.Equal("premium", (await router.GetResponseAsync("prove the theorem by induction")).GetRouteInfo()!.Target);
        Assert.Equal("mini", (await router.GetResponseAsync("urgent: prove the theorem by induction")).GetRouteInfo()!.Target);
    }

    [Fact]
    public void ARegisteredClassifier_TakesTheLearnedStage()
    {
        var classifier = new FixedStrategy("classifier", "premium");
        using ServiceProvider provider = Build(FromJson(Json), r => r.RegisterStrategy("classifier", (_, _) => classifier).UseHybridRouting());

        Assert.Equal(["rules", "classifier", "cost-aware"], provider.GetRequiredService<LlmRouterChatClient>().Strategies.Select(s => s.Name));
    }

    [Fact]
    public void StrategiesListedInConfiguration_KeepTheirPlace()
    {
        const string Listed = """{ "LlmRouting": { "Strategies": [ "cost-aware", "rules" ] } }""";
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json)))
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Listed)))
            .Build();
        using ServiceProvider provider = Build(configuration, r => r.UseHybridRouting());

        Assert.Equal(["cost-aware", "rules", "embedding"], provider.GetRequiredService<LlmRouterChatClient>().Strategies.Select(s => s.Name));
    }

    [Theory]
    [InlineData(new string[0], "rules,embedding,cost-aware")]
    [InlineData(new[] { "weighted-split" }, "weighted-split,rules,embedding,cost-aware")]
    [InlineData(new[] { "rules", "least-in-flight" }, "rules,embedding,cost-aware,least-in-flight")]
    [InlineData(new[] { "cost-aware", "rules" }, "cost-aware,rules,embedding")]
    [InlineData(new[] { "EMBEDDING" }, "rules,EMBEDDING,cost-aware")]
    public void Merge_InsertsMissingStagesInStageOrder(string[] listed, string expected)
    {
        List<string> strategies = [.. listed];

        HybridRoutingLlmRouterBuilderExtensions.Merge(strategies, ["rules", "embedding", "cost-aware"]);

        Assert.Equal(expected, string.Join(",", strategies));
    }

    [Fact]
    public void AnAllowedTagNoTargetCarries_FailsAtStart_NamingTheField()
    {
        using ServiceProvider provider = Build(null, r => r
            .AddTarget("premium", t => t.Tier(QualityTier.Premium))
            .Default("premium")
            .UseHybridRouting(h => h.DataPolicy(p => p.AllowedTargetTags.Add("on-prem"))));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<LlmRoutingOptions>>().CurrentValue);
        Assert.Contains("LlmRouting:DataPolicy:AllowedTargetTags (on-prem): no configured target carries any of them", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmbeddingRouteToAnUnknownTarget_FailsAtStart_NamingTheField()
    {
        using ServiceProvider provider = Build(null, r => r
            .AddTarget("premium")
            .Default("premium")
            .UseHybridRouting(h => h.EmbeddingRoutes(e => e.AddRoute("gpt-9", ["hello"]))));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<LlmRoutingOptions>>().CurrentValue);
        Assert.Contains("LlmRouting:Embedding:Routes[0] ('gpt-9'):Target 'gpt-9' is not a configured target (known targets: premium).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CallingItTwice_IsRejected()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddLlmRouter(r => r.UseHybridRouting().UseHybridRouting()));
        Assert.Contains("already been called", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The guarantee: whatever the rules, routes, judge and cost settings say, a request with personal data only ever reaches an allowed target.</summary>
    [Fact]
    public async Task PropertyCheck_PersonalDataNeverReachesADisallowedTarget_WhateverTheStagesDecide()
    {
        var random = new Random(20261124);
        string[] pii =
        [
            "contact me at alex.smith@example.org", "my card is 4111 1111 1111 1111", "IBAN GB82 WEST 1234 5698 7654 32",
            "server 192.168.10.42 is down", "call +44 20 7946 0958 please",
        ];
        string[] topics = ["refactor this service", "hello there", "prove the lemma", "summarise this report", "translate to French"];
        int sensitive = 0, failed = 0, fellBack = 0;
        for (int config = 0; config < 25; config++)
        {
            int count = random.Next(2, 6);
            string[] names = [.. Enumerable.Range(0, count).Select(i => $"t{i}")];
            bool[] allowed = [.. names.Select(_ => random.Next(3) == 0)];
            allowed[random.Next(count)] = true;
            var clients = names.ToDictionary(n => n, n => new TestChatClient(n));
            foreach (TestChatClient down in clients.Values.Where(_ => random.Next(4) == 0))
            {
                // Some targets are down, so fallback runs too: it must not break the policy either.
                down.GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable));
            }

            string judgeAnswer = random.Next(3) switch { 0 => "PREMIUM", 1 => "ECONOMY", _ => "STANDARD" };

            var services = new ServiceCollection();
            services.AddLlmRouter(r =>
            {
                for (int i = 0; i < count; i++)
                {
                    string name = names[i];
                    bool tag = allowed[i];
                    var tier = (QualityTier)random.Next(3);
                    decimal price = random.Next(1, 100) / 10m;
                    r.AddTarget(name, clients[name], t =>
                    {
                        t.Tier(tier).Prices(price, price * 2);
                        if (tag)
                        {
                            t.Tags("on-prem");
                        }
                    });
                }

                string Any() => names[random.Next(count)];
                r.Default(Any())
                 .AddTarget("judge", new TestChatClient("judge") { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, judgeAnswer))) }, t => t.Tags("on-prem"))
                 .UseRules(rules => rules.When(_ => random.Next(2) == 0).RouteTo(Any()))
                 .UseHybridRouting(h => h
                     .DataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
                     .EmbeddingRoutes(e => e.Threshold = 0.1)
                     .EmbeddingRoutes(e => topics.ToList().ForEach(topic => e.AddRoute(Any(), [topic], name: topic)))
                     .Judge(j => { j.Target = "judge"; j.SkipSensitive = false; }))
                 .UseFallback(o => { o.Resilience.EnableRetry = false; o.Resilience.EnableCircuitBreaker = false; });
            });
            await using ServiceProvider provider = services.BuildServiceProvider();
            IChatClient chat = provider.GetRequiredService<IChatClient>();

            for (int n = 0; n < 20; n++)
            {
                bool hasPii = random.Next(2) == 0;
                string prompt = topics[random.Next(topics.Length)] + (hasPii ? ", " + pii[random.Next(pii.Length)] : string.Empty);
                ChatOptions? options = !hasPii && random.Next(4) == 0 ? Targets.WithMetadata(("tags", "sensitive")) : null;
                RouteInfo route;
                try
                {
                    route = (await chat.GetResponseAsync(prompt, options)).GetRouteInfo()!;
                }
                catch (Exception ex) when (ex is HttpRequestException or NoRouteAvailableException)
                {
                    failed++;
                    continue;
                }

                fellBack += route.IsFallback ? 1 : 0;
                if (hasPii || options is not null)
                {
                    sensitive++;
                    Assert.True(route.Target == "judge" || allowed[Array.IndexOf(names, route.Target)], $"config {config}, request {n}: sensitive request served by {route.Target} via {route.Strategy}");
                }
            }
        }

        Assert.True(sensitive > 100, $"only {sensitive} sensitive requests were served");
        Assert.True(fellBack > 10, $"only {fellBack} requests fell back");
        Assert.True(failed < 100, $"{failed} requests failed");
    }

    private sealed class FixedStrategy(string name, string target) : IRoutingStrategy
    {
        public string Name => name;

        public ValueTask<RouteDecision?> DecideAsync(RoutingRequest request, RouteCandidates candidates, CancellationToken cancellationToken) =>
            new(candidates.Find(target) is { } t ? RouteDecision.To(t, name, "fixed") : null);
    }

    private sealed class ReloadableSource : ConfigurationProvider, IConfigurationSource
    {
        public new void Set(string key, string? value) => Data[key] = value;

        public void Reload() => OnReload();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
    }
}
