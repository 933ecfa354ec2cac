using LlmRouting.Configuration;

namespace LlmRouting.Catalog;

/// <summary>Finds each target's <see cref="TargetOptions.Model"/> in the router's catalogue (built-in, then files, then code) when the options are composed.</summary>
internal static class ModelCatalogResolution
{
    /// <summary>Sets <see cref="TargetOptions.CatalogEntry"/> of every target that names a model; an unknown model or a bad file is a failure naming its field.</summary>
    public static void Apply(LlmRoutingOptions options, List<string> failures)
    {
        if (!options.Targets.Any(t => t.Model is not null))
        {
            return;
        }

        ModelCatalog catalog = Compose(options, failures);
        for (int i = 0; i < options.Targets.Count; i++)
        {
            TargetOptions target = options.Targets[i];
            if (target.Model is not { } model)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(model))
            {
                failures.Add($"{LlmRoutingOptions.SectionName}:Targets[{i}] ('{target.Name}'):Model is empty; name a catalogue model or remove the key.");
            }
            else if (catalog.TryFind(model, out ModelCatalogEntry? entry))
            {
                target.CatalogEntry = entry;
            }
            else
            {
                failures.Add($"{LlmRoutingOptions.SectionName}:Targets[{i}] ('{target.Name}'):Model {catalog.DescribeUnknown(model)}");
            }
        }
    }

    /// <summary>The built-in catalogue with the configured files and the code's catalogues over it.</summary>
    public static ModelCatalog Compose(LlmRoutingOptions options, List<string> failures)
    {
        ModelCatalog catalog = ModelCatalog.Default;
        for (int i = 0; i < options.ModelCatalogFiles.Count; i++)
        {
            string file = options.ModelCatalogFiles[i];
            string at = $"{LlmRoutingOptions.SectionName}:ModelCatalogFiles[{i}]";
            if (string.IsNullOrWhiteSpace(file))
            {
                failures.Add($"{at} is empty.");
                continue;
            }

            string path = Path.IsPathRooted(file) ? file : Path.Combine(AppContext.BaseDirectory, file);
            try
            {
                catalog = catalog.With(ModelCatalog.LoadFile(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                failures.Add($"{at} '{file}' could not be read: {ex.Message}");
            }
        }

        foreach (ModelCatalog code in options.ModelCatalogs)
        {
            catalog = catalog.With(code);
        }

        return catalog;
    }
}
