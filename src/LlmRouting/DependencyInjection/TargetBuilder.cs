using Microsoft.Extensions.AI;
using LlmRouting.Configuration;

namespace LlmRouting;

/// <summary>Configures one target fluently: <c>t.Model("gpt-4o-mini")</c> (prices, limits and capabilities from the model catalogue), or <c>t.ModelId("my-deployment").Prices(input: 2.50m, output: 10m).ContextWindow(128_000)</c>.</summary>
public sealed class TargetBuilder
{
    internal TargetBuilder(TargetOptions options)
    {
        Options = options;
    }

    /// <summary>Gets the options being configured.</summary>
    public TargetOptions Options { get; }

    /// <summary>Sets the prices per million tokens.</summary>
    /// <param name="input">Input price.</param>
    /// <param name="output">Output price.</param>
    /// <param name="cachedInput">Cached input price; <see langword="null"/> for the input price.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder Prices(decimal input, decimal output, decimal? cachedInput = null)
    {
        Options.InputPricePerMillion = input;
        Options.OutputPricePerMillion = output;
        Options.CachedInputPricePerMillion = cachedInput;
        return this;
    }

    /// <summary>Sets the context window in tokens.</summary>
    /// <param name="tokens">The context window.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder ContextWindow(int tokens)
    {
        Options.ContextWindow = tokens;
        return this;
    }

    /// <summary>Sets the largest number of output tokens.</summary>
    /// <param name="tokens">The limit.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder MaxOutputTokens(int tokens)
    {
        Options.MaxOutputTokens = tokens;
        return this;
    }

    /// <summary>Declares capabilities the model offers; once declared, the target's capabilities are these (with other calls' ones) and no longer the catalogue's.</summary>
    /// <param name="capabilities">The capabilities; <see cref="ModelCapabilities.None"/> declares plain text chat only.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder Supports(ModelCapabilities capabilities)
    {
        Options.Capabilities = (Options.Capabilities ?? ModelCapabilities.None) | capabilities;
        return this;
    }

    /// <summary>Adds tags, e.g. <c>on-prem</c>.</summary>
    /// <param name="tags">The tags.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder Tags(params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (string tag in tags)
        {
            Options.Tags.Add(tag);
        }

        return this;
    }

    /// <summary>Sets the quality tier.</summary>
    /// <param name="tier">The tier.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder Tier(QualityTier tier)
    {
        Options.Tier = tier;
        return this;
    }

    /// <summary>Names the catalogue model the target runs: its id is sent with each request and its prices, limits and capabilities fill what is not set explicitly.</summary>
    /// <param name="model">The model, e.g. <c>gpt-4o-mini</c>; see <see cref="Catalog.ModelCatalog"/>. A name the catalogue does not know fails start-up with the nearest names.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder Model(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        Options.Model = model;
        return this;
    }

    /// <summary>Sets the model id sent with each request (e.g. an Azure deployment name), without looking it up in the catalogue.</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder ModelId(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        Options.ModelId = modelId;
        return this;
    }

    /// <summary>Serves the target with the keyed <see cref="IChatClient"/> registered under <paramref name="key"/>.</summary>
    /// <param name="key">The service key.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder UseKeyedClient(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Options.ClientKey = key;
        return this;
    }

    /// <summary>Serves the target with <paramref name="client"/>.</summary>
    /// <param name="client">The client; the container does not own it.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder UseClient(IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Options.ClientFactory = _ => client;
        return this;
    }

    /// <summary>Serves the target with a client created from the services.</summary>
    /// <param name="factory">The factory.</param>
    /// <returns>This builder.</returns>
    public TargetBuilder UseClient(Func<IServiceProvider, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Options.ClientFactory = factory;
        return this;
    }
}
