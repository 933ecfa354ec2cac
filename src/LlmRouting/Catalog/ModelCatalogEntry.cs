namespace LlmRouting.Catalog;

/// <summary>One model in a <see cref="ModelCatalog"/>: its prices, limits and capabilities.</summary>
/// <remarks>Prices are per million tokens, in the catalogue's currency (the built-in catalogue's is USD).</remarks>
public sealed class ModelCatalogEntry
{
    /// <summary>Gets the model's name, as the provider spells it (e.g. <c>gpt-4o-mini</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the provider (e.g. <c>openai</c>, <c>anthropic</c>), or <see langword="null"/> if the source did not say.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets other names the model answers to (dated snapshots, <c>-latest</c> names).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Gets the price of one million input tokens.</summary>
    public decimal InputPricePerMillion { get; init; }

    /// <summary>Gets the price of one million cached input tokens, or <see langword="null"/> if the provider has no cached price.</summary>
    public decimal? CachedInputPricePerMillion { get; init; }

    /// <summary>Gets the price of one million output tokens.</summary>
    public decimal OutputPricePerMillion { get; init; }

    /// <summary>Gets the context window in tokens, or <see langword="null"/> if unknown.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Gets the largest number of output tokens, or <see langword="null"/> if unknown.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the model's capabilities, or <see langword="null"/> if the source declares none (unknown: they do not filter).</summary>
    public ModelCapabilities? Capabilities { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Provider is null ? Name : $"{Provider}/{Name}";
}
