using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Helpers for strategy registrations: chain order and target names.</summary>
internal static class StrategyChain
{
    public static bool Contains(IEnumerable<string> names, string name) =>
        names.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static string Known(LlmRoutingOptions options) => string.Join(", ", options.Targets.Select(t => t.Name));
}
