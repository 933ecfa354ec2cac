using LlmRouting.Catalog;

namespace LlmRouting;

/// <summary>Extends or overrides the built-in model catalogue that <c>t.Model("…")</c> and <c>"Model"</c> read.</summary>
public static class ModelCatalogLlmRouterBuilderExtensions
{
    /// <summary>Adds <paramref name="catalog"/>'s models over the built-in catalogue (and the configured <c>ModelCatalogFiles</c>); its entries win.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="catalog">The models, e.g. <see cref="ModelCatalog.LoadFile"/> of your own file or of LiteLLM's <c>model_prices_and_context_window.json</c>.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseModelCatalog(this LlmRouterBuilder builder, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(catalog);
        return builder.Configure(options => options.ModelCatalogs.Add(catalog));
    }

    /// <summary>Adds a catalogue file's models over the built-in catalogue; read (and validated) at start-up and on every reload.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="path">The file (this library's format or LiteLLM's); a relative path is resolved against the application's base directory.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseModelCatalog(this LlmRouterBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.Configure(options => options.ModelCatalogFiles.Add(path));
    }
}
