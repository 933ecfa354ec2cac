namespace LlmRouting.Configuration;

/// <summary>The router's configuration: targets, rules, strategy order, default and baseline; bound from the <c>LlmRouting</c> section.</summary>
/// <remarks>
/// Code (<c>services.AddLlmRouter(r => …)</c>) and configuration fill the same options; code runs after
/// configuration binding, so it adds to or refines what configuration set. Validated at start-up; prices,
/// targets and rules reload through <c>IOptionsMonitor</c> when the configuration changes.
/// </remarks>
public sealed class LlmRoutingOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "LlmRouting";

    /// <summary>Gets the targets.</summary>
    public IList<TargetOptions> Targets { get; } = [];

    /// <summary>Gets the routing rules, in evaluation order.</summary>
    public IList<RuleOptions> Rules { get; } = [];

    /// <summary>Gets the strategy chain by name, in order (e.g. <c>rules</c>); the rule strategy comes first when rules exist and it is not listed.</summary>
    public IList<string> Strategies { get; } = [];

    /// <summary>Gets or sets the target that serves requests no strategy decides.</summary>
    public string? Default { get; set; }

    /// <summary>Gets or sets the target savings are measured against (typically the premium model).</summary>
    public string? Baseline { get; set; }

    /// <summary>Gets or sets what the router does with a caller's <c>ChatOptions.ModelId</c>: pin the request to the target it names, or ignore it.</summary>
    /// <value>The default is <see cref="CallerModelIdMode.Pin"/>. Either way a target is only sent its own model id.</value>
    public CallerModelIdMode CallerModelIds { get; set; }

    /// <summary>Gets catalogue files (this library's format or LiteLLM's <c>model_prices_and_context_window.json</c>) that extend or override the built-in model catalogue, later files winning.</summary>
    /// <remarks>A relative path is resolved against the application's base directory. See <see cref="Catalog.ModelCatalog"/>.</remarks>
    public IList<string> ModelCatalogFiles { get; } = [];

    /// <summary>Gets catalogues given in code (<c>UseModelCatalog</c>), applied after <see cref="ModelCatalogFiles"/>.</summary>
    internal List<Catalog.ModelCatalog> ModelCatalogs { get; } = [];

    /// <summary>Finds a target by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The target options, or <see langword="null"/>.</returns>
    public TargetOptions? FindTarget(string name)
    {
        foreach (TargetOptions target in Targets)
        {
            if (string.Equals(target.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }
        }

        return null;
    }
}
