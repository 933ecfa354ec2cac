using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Learning;
using LlmRouting.Strategies;
using LlmRouting.Telemetry;
using LlmRouting.Costs;

namespace LlmRouting.Tests;

/// <summary>Drives the bandit through the real router with a synthetic environment where one target is best per task type.</summary>
public sealed class BanditSimulationTests
{
    private const int Rounds = 3000;
    private const int Window = 500;
    private const double CostWeight = 10;
    private static readonly string[] Tasks = ["code", "chat", "translation"];

    // Expected quality per task and target; with the costs below, the best target is premium for code,
    // economy for chat and standard for translation.
    private static readonly Dictionary<(string Task, string Target), double> Quality = new()
    {
        [("code", "premium")] = 0.90, [("code", "standard")] = 0.60, [("code", "economy")] = 0.30,
        [("chat", "premium")] = 0.90, [("chat", "standard")] = 0.80, [("chat", "economy")] = 0.88,
        [("translation", "premium")] = 0.85, [("translation", "standard")] = 0.90, [("translation", "economy")] = 0.50,
    };

    private static readonly Dictionary<string, string> Best = new() { ["code"] = "premium", ["chat"] = "economy", ["translation"] = "standard" };

    [Fact]
    public async Task RegretFalls_AndTheBestTargetDominatesPerTaskType()
    {
        var environment = new Random(20261124);
        var services = new ServiceCollection();
        services.AddKeyedChatClient("premium", new TestChatClient("premium"));
        services.AddKeyedChatClient("standard", new TestChatClient("standard"));
        services.AddKeyedChatClient("economy", new TestChatClient("economy"));
        services.AddLlmRouter(r => r
            .AddTarget("premium", t => t.Prices(2.50m, 10m))     // 0.0075 per request of the fake
            .AddTarget("standard", t => t.Prices(0.50m, 1.50m))  // 0.00125
            .AddTarget("economy", t => t.Prices(0.05m, 0.08m))   // 0.00009
            .UseBandit(o =>
            {
                o.CostWeight = CostWeight;
                o.ExplorationRate = 0.1;
                o.Random = new Random(42);
            })
            .Default("standard"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient chat = provider.GetRequiredService<IChatClient>();
        RouteFeedback feedback = provider.GetRequiredService<RouteFeedback>();
        TargetRegistry registry = provider.GetRequiredService<LlmRouterChatClient>().Registry;

        double[] regret = new double[Rounds];
        var lastWindowChoices = new Dictionary<string, List<string>>();
        for (int round = 0; round < Rounds; round++)
        {
            string task = Tasks[environment.Next(Tasks.Length)];
            RouteInfo route = (await chat.GetResponseAsync("please help", ObservabilityFixtures.For(task: task))).GetRouteInfo()!;
            Assert.Equal(BanditStrategy.StrategyName, route.Strategy);

            double score = Math.Clamp(Quality[(task, route.Target)] + (0.1 * Gaussian(environment)), 0, 1);
            Assert.Equal(RouteFeedbackResult.Recorded, await feedback.RecordOutcomeAsync(route.RouteId, score));

            regret[round] = ExpectedReward(registry, task, Best[task]) - ExpectedReward(registry, task, route.Target);
            if (round >= Rounds - Window)
            {
                (lastWindowChoices.TryGetValue(task, out List<string>? list) ? list : lastWindowChoices[task] = []).Add(route.Target);
            }
        }

        double early = regret.Take(Window).Average();
        double late = regret.Skip(Rounds - Window).Average();
        Assert.True(late < early / 4, $"Regret should fall: first {Window} rounds {early:0.0000}, last {Window} rounds {late:0.0000}.");
        Assert.True(regret.Skip(Rounds / 2).Sum() < regret.Take(Rounds / 2).Sum() / 2, "The second half should accumulate far less regret than the first.");
        foreach (string task in Tasks)
        {
            double share = lastWindowChoices[task].Count(t => t == Best[task]) / (double)lastWindowChoices[task].Count;
            Assert.True(share >= 0.85, $"For {task}, {Best[task]} should dominate the last {Window} rounds; its share was {share:P0}.");
        }
    }

    private static double ExpectedReward(TargetRegistry registry, string task, string target) =>
        Quality[(task, target)] - (CostWeight * (double)RoutingCost.Compute(1000, 500, 0, registry[target].Profile));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
