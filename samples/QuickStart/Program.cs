using System.Globalization;
using LlmRouting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using QuickStart;

using LlmRouting.Accounting;
using LlmRouting.Analysis;
using LlmRouting.Strategies;
// Three local "models" with simulated latency and token usage: no API key, no network.
var services = new ServiceCollection();
services.AddKeyedChatClient("premium", new SimulatedChatClient("gpt-4o", TimeSpan.FromMilliseconds(40)));
services.AddKeyedChatClient("standard", new SimulatedChatClient("gpt-4o-mini", TimeSpan.FromMilliseconds(15)));
services.AddKeyedChatClient("on-prem", new SimulatedChatClient("llama-3.1-8b", TimeSpan.FromMilliseconds(10)));

services.AddLlmRouter(router => router
    .AddTarget("premium", t => t.Prices(input: 2.50m, output: 10m).ContextWindow(128_000).Supports(ModelCapabilities.Tools | ModelCapabilities.Vision).Tier(QualityTier.Premium))
    .AddTarget("standard", t => t.Prices(input: 0.15m, output: 0.60m).ContextWindow(16_000).Supports(ModelCapabilities.None).Tier(QualityTier.Standard))
    .AddTarget("on-prem", t => t.Prices(input: 0.05m, output: 0.08m).ContextWindow(8_192).Supports(ModelCapabilities.None).Tags("on-prem").Tier(QualityTier.Economy))
    // Explicit business rules run first in the chain (after the guardrail filter).
    .UseRules(rules => rules
        .WhenMetadata("tier", "free").Named("free-tier").RouteTo("on-prem", "standard")
        .WhenRiskAtLeast(RiskLevel.Medium).Named("high-stakes").RouteTo("premium"))
    // The hybrid pipeline: data policy (a candidate filter) → rules → embedding routes → cost-aware tie-break.
    .UseHybridRouting(h => h
        // Personal data or a "sensitive" tag may only reach on-prem targets — no rule, strategy or fallback can override it.
        .DataPolicy(p => p.AllowedTargetTags.Add("on-prem"))
        // Example utterances per route, embedded locally (no model download); below the threshold the stage abstains.
        .EmbeddingRoutes(e => e
            .AddRoute("premium", name: "hard-technical", utterances:
            [
                "our API returns this stack trace, what is wrong",
                "the pod keeps crashing with this exit code, diagnose it",
                "write an efficient algorithm in C# and explain its complexity",
                "prove this mathematical statement step by step",
                "review this code or SQL for security vulnerabilities",
            ])
            .AddRoute("on-prem", name: "faq", utterances:
            [
                "what are your opening hours",
                "how do I reset my password",
                "what is the capital of a country",
                "convert a temperature or a distance between units",
            ]))
        // Whatever is still undecided: the cheapest target good enough for the request, within each tenant's daily budget.
        .CostAware(c => c.Budgets.Add(new BudgetOptions { ScopeKey = "tenant", Period = BudgetPeriod.Day, Limit = 1m })))
    .Default("standard")
    .Baseline("premium")
    .UseFallback()
    .UseLedger());

await using ServiceProvider provider = services.BuildServiceProvider();
IChatClient chat = provider.GetRequiredService<IChatClient>();

Console.WriteLine("LlmRouting QuickStart: 20 requests routed across 3 simulated models (no API key needed).");
Console.WriteLine($"Hybrid chain: data-policy filter → {string.Join(" → ", provider.GetRequiredService<LlmRouterChatClient>().Strategies.Select(s => s.Name))} → default");
Console.WriteLine();
Console.WriteLine($"{"#",2}  {"Prompt",-40}  {"Task",-15}  {"Cplx",4}  {"Risk",-6}  {"Target",-8}  {"Strategy",-10}  {"Reason",-40}  {"Cost",10}");
Console.WriteLine(new string('-', 153));

int n = 0;
var routes = new List<RouteInfo>();
foreach ((string prompt, ChatOptions? options) in Workload.Requests())
{
    ChatResponse response = await chat.GetResponseAsync(prompt, options);
    RouteInfo route = response.GetRouteInfo() ?? throw new InvalidOperationException("The response carries no route information.");
    routes.Add(route);
    RequestAnalysis reading = route.Analysis;
    Console.WriteLine($"{++n,2}  {Truncate(prompt, 40),-40}  {reading.Task,-15}  {reading.Complexity,4:0.00}  {reading.Risk,-6}  {route.Target,-8}  {route.Strategy,-10}  {Truncate(route.Reason, 40),-40}  {Money(route.Cost ?? 0m),10}");
}

Console.WriteLine(new string('-', 153));

// RouteInfo.Explain() gives the whole decision in words: the reason, the request's reading, every target a filter
// rejected and why, the attempts and the cost. Here: the first request the data policy moved, and the first rule decision.
foreach (RouteInfo route in new[] { routes.FirstOrDefault(r => r.Rejections.Count > 0), routes.FirstOrDefault(r => r.Strategy == "rules") }.OfType<RouteInfo>().Distinct())
{
    Console.WriteLine();
    Console.WriteLine($"Why request #{routes.IndexOf(route) + 1} went to {route.Target}:");
    Console.WriteLine(route.Explain());
}

Console.WriteLine();

// The ledger has been fed by the router after every request: totals, savings and model mix (per tenant too).
RoutingLedgerSummary summary = provider.GetRequiredService<IRoutingLedger>().GetSummary();
RoutingLedgerTotals totals = summary.Totals;
Console.WriteLine($"Requests:                {totals.Requests} ({totals.Succeeded} answered, {totals.Fallbacks} by fallback)");
Console.WriteLine($"Tokens:                  {totals.InputTokens} in, {totals.OutputTokens} out");
Console.WriteLine($"Total cost:              {Money(totals.Cost)}");
Console.WriteLine($"All on premium would be: {Money(totals.BaselineCost)}");
Console.WriteLine($"Saved:                   {Money(totals.Savings)} ({totals.SavingsRatio:P1})");
Console.WriteLine($"Model mix:               {string.Join(", ", summary.ModelMix.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value:P0}"))}");
Console.WriteLine($"By strategy:             {string.Join(", ", summary.ByStrategy.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value.Requests} ({Money(kv.Value.Cost)})"))}");

static string Truncate(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

static string Money(decimal amount) => amount.ToString("$0.000000", CultureInfo.InvariantCulture);
