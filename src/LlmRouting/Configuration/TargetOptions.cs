using Microsoft.Extensions.AI;

namespace LlmRouting.Configuration;

/// <summary>One target's configuration, bindable from the <c>LlmRouting:Targets</c> section.</summary>
public sealed class TargetOptions
{
    /// <summary>Gets or sets the target's unique name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the key of the keyed <see cref="IChatClient"/> that serves the target.</summary>
    /// <value>The default is <see langword="null"/>: the target's <see cref="Name"/> is the key.</value>
    public string? ClientKey { get; set; }

    /// <summary>Gets or sets the model id to send, if the client needs one per request.</summary>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets the price of one million input tokens.</summary>
    public decimal InputPricePerMillion { get; set; }

    /// <summary>Gets or sets the price of one million output tokens.</summary>
    public decimal OutputPricePerMillion { get; set; }

    /// <summary>Gets or sets the price of one million cached input tokens; <see langword="null"/> for the input price.</summary>
    public decimal? CachedInputPricePerMillion { get; set; }

    /// <summary>Gets or sets the context window in tokens.</summary>
    public int? ContextWindow { get; set; }

    /// <summary>Gets or sets the largest number of output tokens the model produces.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets or sets the capabilities, e.g. <c>"Tools, Vision"</c> in configuration.</summary>
    /// <value>The default is <see cref="ModelCapabilities.None"/>: plain text chat.</value>
    public ModelCapabilities Capabilities { get; set; }

    /// <summary>Gets the free-form tags, e.g. <c>on-prem</c>.</summary>
    public IList<string> Tags { get; } = [];

    /// <summary>Gets or sets the quality tier.</summary>
    /// <value>The default is <see cref="QualityTier.Standard"/>.</value>
    public QualityTier Tier { get; set; } = QualityTier.Standard;

    /// <summary>Gets or sets a factory for the target's client (code only; takes precedence over <see cref="ClientKey"/>).</summary>
    public Func<IServiceProvider, IChatClient>? ClientFactory { get; set; }

    /// <summary>Creates the immutable profile the router uses.</summary>
    /// <returns>The profile.</returns>
    public TargetProfile ToProfile() => new()
    {
        ModelId = ModelId,
        InputPricePerMillion = InputPricePerMillion,
        OutputPricePerMillion = OutputPricePerMillion,
        CachedInputPricePerMillion = CachedInputPricePerMillion,
        ContextWindow = ContextWindow,
        MaxOutputTokens = MaxOutputTokens,
        Capabilities = Capabilities,
        Tags = Tags.Count == 0 ? TargetProfile.EmptyTags : new HashSet<string>(Tags, StringComparer.OrdinalIgnoreCase),
        Tier = Tier,
    };
}
