namespace LlmRouting;

/// <summary>What the router knows about a target: model id, prices, limits, capabilities, tags and tier.</summary>
/// <remarks>Instances are immutable once built; the router takes a snapshot at start-up and on configuration reload.</remarks>
public sealed class TargetProfile
{
    private const decimal PerMillion = 1_000_000m;
    private decimal _inputPerMillion;
    private decimal _outputPerMillion;
    private decimal? _cachedInputPerMillion;

    /// <summary>Gets the model id to send in <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>, or <see langword="null"/> to leave the caller's or the client's default.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the price of one million input tokens, in the currency the application accounts in.</summary>
    /// <value>The default is 0.</value>
    public decimal InputPricePerMillion
    {
        get => _inputPerMillion;
        init
        {
            _inputPerMillion = value;
            InputPricePerToken = value / PerMillion;
        }
    }

    /// <summary>Gets the price of one million output tokens (reasoning tokens are billed as output).</summary>
    /// <value>The default is 0.</value>
    public decimal OutputPricePerMillion
    {
        get => _outputPerMillion;
        init
        {
            _outputPerMillion = value;
            OutputPricePerToken = value / PerMillion;
        }
    }

    /// <summary>Gets the price of one million cached input tokens.</summary>
    /// <value>The default is <see langword="null"/>, meaning cached input costs the same as input.</value>
    public decimal? CachedInputPricePerMillion
    {
        get => _cachedInputPerMillion;
        init
        {
            _cachedInputPerMillion = value;
            CachedInputPricePerToken = value / PerMillion;
        }
    }

    /// <summary>Gets the context window in tokens (input plus output).</summary>
    /// <value>The default is <see langword="null"/>: unknown, no fit check.</value>
    public int? ContextWindow { get; init; }

    /// <summary>Gets the largest number of output tokens the model can produce.</summary>
    /// <value>The default is <see langword="null"/>: unknown.</value>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the capabilities the model offers (streaming is assumed of every target).</summary>
    /// <value>
    /// The default is <see langword="null"/>: unknown, so no request is kept from the target for a capability it needs.
    /// <see cref="ModelCapabilities.None"/> declares plain text chat only.
    /// </value>
    public ModelCapabilities? Capabilities { get; init; }

    /// <summary>Gets free-form tags such as <c>on-prem</c> or <c>eu</c>, compared case-insensitively.</summary>
    public IReadOnlySet<string> Tags { get; init; } = EmptyTags;

    /// <summary>Gets the quality tier.</summary>
    /// <value>The default is <see cref="QualityTier.Standard"/>.</value>
    public QualityTier Tier { get; init; } = QualityTier.Standard;

    /// <summary>Gets a value indicating whether the target carries <paramref name="tag"/>.</summary>
    /// <param name="tag">The tag to look for.</param>
    /// <returns><see langword="true"/> if the tag is present.</returns>
    public bool HasTag(string tag) => Tags.Contains(tag);

    /// <summary>Gets the input price of one token (exact: dividing a decimal by 10^6 only moves its scale).</summary>
    internal decimal InputPricePerToken { get; private init; }

    /// <summary>Gets the output price of one token.</summary>
    internal decimal OutputPricePerToken { get; private init; }

    /// <summary>Gets the cached input price of one token, if set.</summary>
    internal decimal? CachedInputPricePerToken { get; private init; }

    internal static readonly IReadOnlySet<string> EmptyTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
}
