using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace LlmRouting.Catalog;

/// <summary>
/// Prices, context windows, output limits and capabilities of known models, so a target can say
/// <c>t.Model("gpt-4o-mini")</c> (or <c>"Model": "gpt-4o-mini"</c> in configuration) instead of typing them.
/// </summary>
/// <remarks>
/// <see cref="Default"/> is the built-in, dated catalogue (<see cref="AsOf"/>). A file of your own
/// (<see cref="LoadFile"/>; this library's format or LiteLLM's <c>model_prices_and_context_window.json</c>) extends or
/// overrides it with <see cref="With"/>. Names are matched case-insensitively, with aliases and with or without a
/// <c>provider/</c> prefix (a bare name also finds the one <c>provider/name</c> entry, if only one provider has it).
/// Instances are immutable and thread-safe.
/// </remarks>
public sealed class ModelCatalog
{
    private static readonly Lazy<ModelCatalog> BuiltIn = new(LoadBuiltIn);
    private readonly FrozenDictionary<string, ModelCatalogEntry> _byName;

    /// <summary>Entries named <c>provider/model</c> by their bare <c>model</c>, where exactly one entry has that bare name.</summary>
    private readonly FrozenDictionary<string, ModelCatalogEntry> _byBareName;

    /// <summary>Initializes a new instance of the <see cref="ModelCatalog"/> class.</summary>
    /// <param name="models">The models; a later entry replaces an earlier one with the same name or alias.</param>
    /// <param name="asOf">The date the data was checked, if known.</param>
    /// <exception cref="ArgumentException">An entry is <see langword="null"/>, has no name, or a negative price or limit.</exception>
    public ModelCatalog(IEnumerable<ModelCatalogEntry> models, DateOnly? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        var byName = new Dictionary<string, ModelCatalogEntry>(StringComparer.OrdinalIgnoreCase);
        var entries = new Dictionary<string, ModelCatalogEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (ModelCatalogEntry entry in models)
        {
            Check(entry);
            if (entries.Remove(entry.Name, out ModelCatalogEntry? replaced))
            {
                Unmap(byName, replaced);
            }

            entries[entry.Name] = entry;
            foreach (string name in entry.Aliases.Prepend(entry.Name))
            {
                byName[name] = entry;
            }
        }

        _byName = byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Models = [.. entries.Values];
        _byBareName = Models
            .Where(m => m.Name.Contains('/', StringComparison.Ordinal))
            .GroupBy(m => m.Name[(m.Name.LastIndexOf('/') + 1)..], StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => g.Single(), StringComparer.OrdinalIgnoreCase);
        AsOf = asOf;
    }

    /// <summary>Gets the built-in catalogue: the current models of the major providers, checked on <see cref="AsOf"/>.</summary>
    public static ModelCatalog Default => BuiltIn.Value;

    /// <summary>Gets the date the catalogue's data was checked, or <see langword="null"/> if the source did not say.</summary>
    public DateOnly? AsOf { get; }

    /// <summary>Gets the models, one entry each (aliases point at them).</summary>
    public IReadOnlyList<ModelCatalogEntry> Models { get; }

    /// <summary>Loads a catalogue from JSON: this library's format (<c>{"models": {…}}</c>) or LiteLLM's.</summary>
    /// <param name="utf8Json">The JSON.</param>
    /// <returns>The catalogue.</returns>
    /// <exception cref="FormatException">The JSON is not a catalogue; the message names the entry and field.</exception>
    public static ModelCatalog Load(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        return ModelCatalogReader.Read(utf8Json, source: "the catalogue");
    }

    /// <summary>Loads a catalogue file (this library's format or LiteLLM's <c>model_prices_and_context_window.json</c>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The catalogue.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a catalogue; the message names the file, entry and field.</exception>
    public static ModelCatalog LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using FileStream stream = File.OpenRead(path);
        return ModelCatalogReader.Read(stream, source: path);
    }

    /// <summary>Returns a catalogue with <paramref name="overrides"/>'s models added to this one's, replacing those with the same name.</summary>
    /// <param name="overrides">The models that win.</param>
    /// <returns>The combined catalogue, dated by this one.</returns>
    public ModelCatalog With(ModelCatalog overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new ModelCatalog(Models.Concat(overrides.Models), AsOf);
    }

    /// <summary>Finds a model by name or alias, case-insensitively, with or without a <c>provider/</c> prefix.</summary>
    /// <param name="model">The name.</param>
    /// <param name="entry">The model, if found.</param>
    /// <returns><see langword="true"/> if the catalogue has the model.</returns>
    public bool TryFind(string model, [NotNullWhen(true)] out ModelCatalogEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(model);
        string name = model.Trim();
        if (_byName.TryGetValue(name, out entry))
        {
            return true;
        }

        int slash = name.LastIndexOf('/');
        return (slash >= 0 && _byName.TryGetValue(name[(slash + 1)..], out entry)) || _byBareName.TryGetValue(name[(slash + 1)..], out entry);
    }

    /// <summary>Finds a model by name or alias.</summary>
    /// <param name="model">The name.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">The catalogue does not have the model; the message lists the nearest names.</exception>
    public ModelCatalogEntry Find(string model) =>
        TryFind(model, out ModelCatalogEntry? entry) ? entry : throw new ArgumentException(DescribeUnknown(model), nameof(model));

    /// <summary>Returns up to <paramref name="count"/> known names closest to <paramref name="model"/> (for "did you mean").</summary>
    /// <param name="model">The unknown name.</param>
    /// <param name="count">How many names to return.</param>
    /// <returns>The names, closest first.</returns>
    public IReadOnlyList<string> Nearest(string model, int count = 3)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        string name = model.Trim().ToUpperInvariant();
        return [.. Models
            .Select(m => (m.Name, Score: Similarity(name, m.Name.ToUpperInvariant())))
            .Where(m => m.Score > 0.3)
            .OrderByDescending(m => m.Score)
            .ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .Take(count)
            .Select(m => m.Name)];
    }

    /// <summary>Explains that <paramref name="model"/> is unknown, with the nearest names.</summary>
    internal string DescribeUnknown(string model)
    {
        string asOf = AsOf is { } date ? $" (as of {date:yyyy-MM-dd})" : string.Empty;
        return $"'{model}' is not in the model catalogue{asOf}; nearest: {string.Join(", ", Nearest(model))}. " +
            "Set ModelId and the prices, context window and capabilities yourself, or add the model with a catalogue file (ModelCatalogFiles).";
    }

    /// <summary>Dice similarity of the two names' character pairs, plus a little for a shared start (model names vary at the end).</summary>
    private static double Similarity(string a, string b)
    {
        if (a.Length < 2 || b.Length < 2)
        {
            return a == b ? 1 : 0;
        }

        var pairs = new Dictionary<(char, char), int>();
        for (int i = 0; i + 1 < a.Length; i++)
        {
            pairs[(a[i], a[i + 1])] = pairs.GetValueOrDefault((a[i], a[i + 1])) + 1;
        }

        int shared = 0;
        for (int i = 0; i + 1 < b.Length; i++)
        {
            if (pairs.TryGetValue((b[i], b[i + 1]), out int left) && left > 0)
            {
                pairs[(b[i], b[i + 1])] = left - 1;
                shared++;
            }
        }

        int prefix = 0;
        while (prefix < Math.Min(a.Length, b.Length) && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return (2.0 * shared / (a.Length + b.Length - 2)) + (0.1 * prefix / Math.Max(a.Length, b.Length));
    }

    private static void Check(ModelCatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Name, nameof(entry));
        if (entry.InputPricePerMillion < 0 || entry.OutputPricePerMillion < 0 || entry.CachedInputPricePerMillion < 0)
        {
            throw new ArgumentException($"The model '{entry.Name}' has a negative price.", nameof(entry));
        }

        if (entry.ContextWindow <= 0 || entry.MaxOutputTokens <= 0)
        {
            throw new ArgumentException($"The model '{entry.Name}' has a context window or output limit that is not positive.", nameof(entry));
        }
    }

    private static void Unmap(Dictionary<string, ModelCatalogEntry> byName, ModelCatalogEntry replaced)
    {
        foreach (string name in replaced.Aliases.Prepend(replaced.Name))
        {
            if (byName.TryGetValue(name, out ModelCatalogEntry? current) && ReferenceEquals(current, replaced))
            {
                byName.Remove(name);
            }
        }
    }

    private static ModelCatalog LoadBuiltIn()
    {
        using Stream stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("LlmRouting.ModelCatalog.json")
            ?? throw new InvalidOperationException("The built-in model catalogue resource is missing from the LlmRouting assembly.");
        return ModelCatalogReader.Read(stream, source: "the built-in catalogue");
    }
}
