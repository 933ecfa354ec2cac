using Microsoft.Extensions.AI;
using LlmRouting.Catalog;

namespace LlmRouting.Configuration;

/// <summary>One target's configuration, bindable from the <c>LlmRouting:Targets</c> section.</summary>
public sealed class TargetOptions
{
    /// <summary>Gets or sets the target's unique name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the key of the keyed <see cref="IChatClient"/> that serves the target.</summary>
    /// <value>The default is <see langword="null"/>: the target's <see cref="Name"/> is the key.</value>
    public string? ClientKey { get; set; }

    /// <summary>Gets or sets the catalogue model the target runs (e.g. <c>gpt-4o-mini</c>): it fills the model id, prices, limits and capabilities left unset.</summary>
    /// <value>The default is <see langword="null"/>: every value comes from this options object. A name the catalogue does not know fails start-up with the nearest names.</value>
    /// <remarks>See <see cref="ModelCatalog"/>; values set here explicitly always win over the catalogue's.</remarks>
    public string? Model { get; set; }

    /// <summary>Gets or sets the model id to send, if the client needs one per request (e.g. an Azure deployment name).</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Model"/> if set, else the caller's or the client's default.</value>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets the price of one million input tokens.</summary>
    /// <value>The default is <see langword="null"/>: the catalogue's price for <see cref="Model"/>, else 0.</value>
    public decimal? InputPricePerMillion { get; set; }

    /// <summary>Gets or sets the price of one million output tokens.</summary>
    /// <value>The default is <see langword="null"/>: the catalogue's price for <see cref="Model"/>, else 0.</value>
    public decimal? OutputPricePerMillion { get; set; }

    /// <summary>Gets or sets the price of one million cached input tokens.</summary>
    /// <value>The default is <see langword="null"/>: the catalogue's cached price for <see cref="Model"/>, else the input price.</value>
    public decimal? CachedInputPricePerMillion { get; set; }

    /// <summary>Gets or sets the context window in tokens.</summary>
    /// <value>The default is <see langword="null"/>: the catalogue's for <see cref="Model"/>, else unknown (no fit check).</value>
    public int? ContextWindow { get; set; }

    /// <summary>Gets or sets the largest number of output tokens the model produces.</summary>
    /// <value>The default is <see langword="null"/>: the catalogue's for <see cref="Model"/>, else unknown.</value>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets or sets the capabilities, e.g. <c>"Tools, Vision"</c> in configuration; once set, the complete list.</summary>
    /// <value>
    /// The default is <see langword="null"/>: the catalogue's for <see cref="Model"/>, else unknown — an unknown capability
    /// does not keep requests from the target (start-up logs which targets have unknown capabilities).
    /// </value>
    public ModelCapabilities? Capabilities { get; set; }

    /// <summary>Gets the free-form tags, e.g. <c>on-prem</c>.</summary>
    public IList<string> Tags { get; } = [];

    /// <summary>Gets or sets the quality tier.</summary>
    /// <value>The default is <see cref="QualityTier.Standard"/>.</value>
    public QualityTier Tier { get; set; } = QualityTier.Standard;

    /// <summary>Gets or sets a factory for the target's client (code only; takes precedence over <see cref="ClientKey"/>).</summary>
    public Func<IServiceProvider, IChatClient>? ClientFactory { get; set; }

    /// <summary>Gets or sets the catalogue entry of <see cref="Model"/>, found in the router's catalogue when the options were composed.</summary>
    internal ModelCatalogEntry? CatalogEntry { get; set; }

    /// <summary>Creates the immutable profile the router uses: the values set here, then the catalogue's for <see cref="Model"/>.</summary>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException"><see cref="Model"/> is not in the catalogue.</exception>
    public TargetProfile ToProfile()
    {
        ModelCatalogEntry? model = CatalogEntry ?? (Model is { } name ? ModelCatalog.Default.Find(name) : null);
        return new()
        {
            ModelId = ModelId ?? Model,
            InputPricePerMillion = InputPricePerMillion ?? model?.InputPricePerMillion ?? 0m,
            OutputPricePerMillion = OutputPricePerMillion ?? model?.OutputPricePerMillion ?? 0m,
            CachedInputPricePerMillion = CachedInputPricePerMillion ?? model?.CachedInputPricePerMillion,
            ContextWindow = ContextWindow ?? model?.ContextWindow,
            MaxOutputTokens = MaxOutputTokens ?? model?.MaxOutputTokens,
            Capabilities = Capabilities ?? model?.Capabilities,
            Tags = Tags.Count == 0 ? TargetProfile.EmptyTags : new HashSet<string>(Tags, StringComparer.OrdinalIgnoreCase),
            Tier = Tier,
        };
    }
}
