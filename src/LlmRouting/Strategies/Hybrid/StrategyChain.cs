using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmRouting;

/// <summary>Helpers for strategy registrations: chain order and binding a strategy's configuration section.</summary>
internal static class StrategyChain
{
    /// <summary>Appends <paramref name="name"/> to the chain unless it is already listed.</summary>
    public static void Append(LlmRoutingOptions options, string name)
    {
        if (!Contains(options.Strategies, name))
        {
            options.Strategies.Add(name);
        }
    }

    public static bool Contains(IEnumerable<string> names, string name) =>
        names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Binds <paramref name="section"/> of the application's configuration (if any) onto <paramref name="options"/>.</summary>
    public static T Bind<T>(IServiceProvider services, string section, T options)
        where T : class
    {
        if (services.GetService<IConfiguration>()?.GetSection(section) is { } found && found.Exists())
        {
            found.Bind(options);
        }

        return options;
    }

    public static string Known(LlmRoutingOptions options) => string.Join(", ", options.Targets.Select(t => t.Name));
}
