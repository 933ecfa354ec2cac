using Microsoft.Extensions.Configuration;

namespace LlmRouting.Configuration;

/// <summary>Binds the <c>LlmRouting</c> section strictly: targets, rules, strategies, default and baseline here; strategy sections by the extensions that claim them.</summary>
/// <remarks>
/// A sub-section an extension reads itself (<c>Classifier</c>, <c>Judge</c>, the hybrid stages, …) is claimed on the builder
/// (<c>LlmRouterBuilder.ClaimSection</c>), which also validates it at start-up. A known
/// strategy section nobody claimed fails with the call that would read it, so no setting is silently ignored.
/// </remarks>
internal static class LlmRoutingOptionsBinder
{
    /// <summary>The strategy sections the library knows, with the call that reads each.</summary>
    private static readonly Dictionary<string, string> KnownSections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Classifier"] = "UseClassifier()",
        ["Judge"] = "UseJudge() or UseHybridRouting(h => h.Judge())",
        ["Hybrid"] = "UseHybridRouting()",
        ["DataPolicy"] = "UseHybridRouting() (UseDataPolicy is configured in code)",
        ["Embedding"] = "UseHybridRouting() (UseEmbeddingRoutes is configured in code)",
        ["CostAware"] = "UseHybridRouting() (UseCostAware is configured in code)",
    };

    /// <summary>Sections read by service-level registrations the builder cannot see (<c>AddLlmRoutingRedis(configuration.GetSection("LlmRouting:Redis"))</c>), which bind them strictly themselves.</summary>
    private static readonly string[] ServiceSections = ["Redis"];

    public static void Bind(IConfiguration section, LlmRoutingOptions options, ISet<string> claimed, List<string> failures)
    {
        string path = section is IConfigurationSection s ? s.Path : LlmRoutingOptions.SectionName;
        var ignored = new HashSet<string>(claimed, StringComparer.OrdinalIgnoreCase);
        ignored.UnionWith(ServiceSections);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!claimed.Contains(child.Key) && KnownSections.TryGetValue(child.Key, out string? reader))
            {
                failures.Add($"{path}:{child.Key} is configured, but nothing reads it: it configures {reader}, which this router does not use.");
                ignored.Add(child.Key);
            }
        }

        ConfigurationValues.BindObject(section, options, path, failures, ignored);
    }
}
