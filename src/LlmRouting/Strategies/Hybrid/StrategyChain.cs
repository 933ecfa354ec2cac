using Microsoft.Extensions.Options;
using LlmRouting.Configuration;

namespace LlmRouting.Strategies;

/// <summary>Helpers for strategy registrations: chain order and target names.</summary>
internal static class StrategyChain
{
    public static bool Contains(IEnumerable<string> names, string name) =>
        names.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static string Known(LlmRoutingOptions options) => string.Join(", ", options.Targets.Select(t => t.Name));

    /// <summary>Throws, naming <paramref name="field"/>, when <paramref name="target"/> is not one of the router's targets.</summary>
    /// <exception cref="OptionsValidationException">The target is not configured.</exception>
    public static void RequireTarget(LlmRoutingOptions options, string target, string field)
    {
        if (options.FindTarget(target) is null)
        {
            throw new OptionsValidationException(field, typeof(LlmRoutingOptions), [$"{field} names '{target}', which is not a configured target (known targets: {Known(options)})."]);
        }
    }
}
