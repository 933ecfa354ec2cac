using Microsoft.Extensions.DependencyInjection;
using LlmRouting.Filtering;

namespace LlmRouting;

/// <summary>Adds the data-policy guardrail to a router.</summary>
public static class DataPolicyLlmRouterBuilderExtensions
{
    /// <summary>Keeps requests with personal data (or a sensitive tag or domain) on targets carrying an allowed tag.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the allowed target tags (required) and what counts as sensitive.</param>
    /// <returns>The builder.</returns>
    /// <example><code>.UseDataPolicy(p => p.AllowedTargetTags.Add("on-prem"))</code></example>
    public static LlmRouterBuilder UseDataPolicy(this LlmRouterBuilder builder, Action<DataPolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DataPolicyOptions();
        configure(options);
        var filter = new DataPolicyFilter(options);
        builder.Services.AddSingleton(filter);
        builder.Services.AddSingleton(filter.Policy);
        builder.AddFilter(HybridRoutingLlmRouterBuilderExtensions.DataPolicyFilterKey, "UseDataPolicy", _ => filter);

        // Fails start-up when no target could ever serve a sensitive request.
        builder.Validators.Add((_, o) =>
            o.Targets.Any(t => t.Tags.Any(tag => filter.AllowedTargetTags.Contains(tag, StringComparer.OrdinalIgnoreCase)))
                ? []
                : [$"DataPolicy: no configured target carries any of the allowed tags ({string.Join(", ", filter.AllowedTargetTags)}); every sensitive request would be refused. Tag a target, e.g. .Tags(\"{filter.AllowedTargetTags[0]}\")."]);
        return builder;
    }
}
