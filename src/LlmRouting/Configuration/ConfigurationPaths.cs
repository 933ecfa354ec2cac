using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LlmRouting.Configuration;

/// <summary>
/// Validation messages name configuration paths from <c>LlmRouting:</c> (the default section); a router bound from another
/// section (a named router's <c>LlmRouters:{name}</c>, or a section given to <c>BindConfiguration</c>) reports them under
/// the section it really reads, so the path in a message is the one to fix.
/// </summary>
internal static partial class ConfigurationPaths
{
    /// <summary>Gets the section's path when it is not the default section, else <see langword="null"/> (messages stay as written).</summary>
    public static string? PathOf(IConfiguration? section) =>
        section is IConfigurationSection s && s.Path.Length > 0 && !string.Equals(s.Path, LlmRoutingOptions.SectionName, StringComparison.OrdinalIgnoreCase)
            ? s.Path
            : null;

    /// <summary>Rewrites every path in <paramref name="message"/> that starts at the default section to start at <paramref name="path"/>.</summary>
    public static string Rewrite(string message, string path) => DefaultRoot().Replace(message, path + ":");

    /// <summary>Rewrites <paramref name="failures"/> in place (see <see cref="Rewrite(string, string)"/>).</summary>
    public static void Rewrite(List<string> failures, string path)
    {
        for (int i = 0; i < failures.Count; i++)
        {
            failures[i] = Rewrite(failures[i], path);
        }
    }

    /// <summary>The same exception with every failure's paths rewritten (see <see cref="Rewrite(string, string)"/>).</summary>
    public static OptionsValidationException Rewrite(OptionsValidationException exception, string path) =>
        new(exception.OptionsName, exception.OptionsType, [.. exception.Failures.Select(f => Rewrite(f, path))]);

    // "LlmRouting:" where a path starts: not inside a longer path or name (a user's "App:LlmRouting:…" stays as it is).
    [GeneratedRegex(@"(?<![\w:.])LlmRouting:", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultRoot();
}
